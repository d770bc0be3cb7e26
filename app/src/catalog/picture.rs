//! Product pictures staff upload: PNG, JPEG or WebP, at most 5 MB, known
//! by their content (never by a name or a type the request claims),
//! decoded once to refuse broken files and to make the card's picture.
//! Files are named by the SHA-256 of the upload, in a directory set by
//! configuration: no name from a request ever reaches the file system.

use crate::{
    error::{AppError, AppResult, ErrorCode},
    locale::{td_string, Locale},
};
use image::{DynamicImage, ImageFormat, ImageReader};
use sha2::{Digest, Sha256};
use std::{
    io::Cursor,
    path::{Path, PathBuf},
};

/// The largest upload taken.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The card's picture: a square of this many pixels (as the demo's).
pub const CARD_SIZE: u32 = 400;
/// Where the pictures are served under the site root.
pub const URL_PREFIX: &str = "/uploads";
/// The largest width or height decoded: larger is refused, not decoded.
const MAX_SIDE: u32 = 12_000;

/// The directory pictures are kept in (in the server's context).
#[derive(Debug, Clone)]
pub struct PictureStore {
    dir: PathBuf,
}

fn refused(message: &str) -> AppError {
    AppError::invalid_field(ErrorCode::BadRequest, "image", message)
}

impl PictureStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Checks an upload and keeps it with its card picture; returns the
    /// card picture's path under the site root. The same picture uploaded
    /// twice is the same files.
    pub async fn save(&self, bytes: Vec<u8>) -> AppResult<String> {
        let locale = Locale::current();
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || save_blocking(&dir, &bytes, locale))
            .await
            .map_err(|e| AppError::internal("picture task", e))?
    }
}

/// What the content says the file is: PNG, JPEG or WebP, or a refusal.
pub fn format_of(bytes: &[u8], locale: Locale) -> AppResult<ImageFormat> {
    if bytes.is_empty() {
        return Err(refused(td_string!(locale, admin.error_image_missing)));
    }
    if bytes.len() > MAX_BYTES {
        return Err(refused(td_string!(locale, admin.error_image_too_big)));
    }
    match image::guess_format(bytes) {
        Ok(format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)) => Ok(format),
        _ => Err(refused(td_string!(locale, admin.error_image_type))),
    }
}

/// Decodes the whole picture, within limits; a broken one is refused.
pub fn decode(bytes: &[u8], format: ImageFormat, locale: Locale) -> AppResult<DynamicImage> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|_| refused(td_string!(locale, admin.error_image_broken)))
}

fn save_blocking(dir: &Path, bytes: &[u8], locale: Locale) -> AppResult<String> {
    let format = format_of(bytes, locale)?;
    let picture = decode(bytes, format, locale)?;
    let hash = format!("{:x}", Sha256::digest(bytes));
    let extension = match format {
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpg",
        _ => "webp",
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::internal("creating the picture directory", e))?;
    write_once(&dir.join(format!("{hash}.{extension}")), bytes)?;

    // The card: cropped to a square, PNG if it has transparency, else JPEG.
    let card = picture.resize_to_fill(CARD_SIZE, CARD_SIZE, image::imageops::FilterType::Triangle);
    let (card_format, card_extension) = if card.color().has_alpha() {
        (ImageFormat::Png, "png")
    } else {
        (ImageFormat::Jpeg, "jpg")
    };
    let card = if card_format == ImageFormat::Jpeg {
        DynamicImage::ImageRgb8(card.to_rgb8())
    } else {
        card
    };
    let mut encoded = Cursor::new(Vec::new());
    card.write_to(&mut encoded, card_format)
        .map_err(|e| AppError::internal("encoding a card picture", e))?;
    let card_name = format!("{hash}-card.{card_extension}");
    write_once(&dir.join(&card_name), encoded.get_ref())?;
    Ok(format!("{URL_PREFIX}/{card_name}"))
}

/// Writes a file whole or not at all (a temporary file renamed into
/// place); one already there is the same content, as its name is its hash.
fn write_once(path: &Path, bytes: &[u8]) -> AppResult<()> {
    if path.exists() {
        return Ok(());
    }
    let temporary = path.with_extension(format!("tmp{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            AppError::internal("writing a picture", e)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = DynamicImage::new_rgb8(width, height);
        let mut out = Cursor::new(Vec::new());
        picture.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn the_content_decides_not_the_name() {
        let locale = Locale::en;
        assert_eq!(format_of(&png(2, 2), locale).unwrap(), ImageFormat::Png);
        for bad in [&b"GIF89a...."[..], b"<svg></svg>", b"hello", b""] {
            assert_eq!(format_of(bad, locale).unwrap_err().field(), Some("image"));
        }
        let too_big = vec![0u8; MAX_BYTES + 1];
        assert_eq!(
            format_of(&too_big, locale).unwrap_err().field(),
            Some("image")
        );
    }

    #[test]
    fn a_broken_picture_is_refused_and_a_good_one_kept_under_its_hash() {
        let locale = Locale::en;
        let mut broken = png(50, 50);
        broken.truncate(60);
        let dir = std::env::temp_dir().join(format!("pictures-{}", uuid::Uuid::new_v4()));
        let err = save_blocking(&dir, &broken, locale).unwrap_err();
        assert_eq!(err.field(), Some("image"));

        let good = png(800, 600);
        let path = save_blocking(&dir, &good, locale).unwrap();
        let hash = format!("{:x}", Sha256::digest(&good));
        assert_eq!(path, format!("/uploads/{hash}-card.jpg"));
        let card = image::open(dir.join(format!("{hash}-card.jpg"))).unwrap();
        assert_eq!((card.width(), card.height()), (CARD_SIZE, CARD_SIZE));
        assert!(dir.join(format!("{hash}.png")).exists());
        // Again: the same files, nothing new.
        assert_eq!(save_blocking(&dir, &good, locale).unwrap(), path);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
