//! Co-op logos uploaded in the console: checked by decoding (PNG, JPEG or WebP), resized to
//! at most [`MAX_SIDE`] pixels a side, re-encoded as PNG and stored in the database. The
//! co-op's `logo` then points at `/coops/{slug}/logo.png?v=ETAG`, set through
//! [`coops::update`] so that followers receive the new icon.
use std::io::Cursor;

use chrono::Utc;
use coopnet_core::{Coop, CoopPatch, FieldErrors, Logo};
use coopnet_db::repo::logos;
use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::accounts::Session;
use crate::{AppContext, AppError, coops};

/// Largest width and height of a stored logo.
pub const MAX_SIDE: u32 = 256;

fn refuse(message: impl Into<String>) -> AppError {
    FieldErrors::single("logo", message).into()
}

/// Decodes `bytes` as PNG, JPEG or WebP, shrinks it to fit [`MAX_SIDE`] and encodes PNG.
pub fn normalise(bytes: &[u8]) -> Result<Vec<u8>, AppError> {
    let not_image = || refuse("is not a PNG, JPEG or WebP image");
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| not_image())?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP) => {}
        _ => return Err(not_image()),
    }
    let mut reader = reader;
    // Bounds decoding work: a small file may claim a huge canvas.
    let mut limits = Limits::default();
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| not_image())?;
    let image = if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        image.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        image
    };
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|e| AppError::caused("PNG encoding", e))?;
    Ok(out)
}

/// Stores a new logo for co-op `slug` and points its profile at it (federated as Update).
#[tracing::instrument(skip_all, err, fields(coop.slug = %slug))]
pub async fn upload(
    ctx: &AppContext,
    by: &Session,
    slug: &str,
    bytes: &[u8],
) -> Result<Coop, AppError> {
    let scope = by.require_coop(slug)?;
    let coop = coops::get(ctx, slug).await?;
    if bytes.is_empty() {
        return Err(refuse("choose an image file"));
    }
    let max = ctx.settings.console.logo_max_bytes;
    if bytes.len() > max {
        return Err(refuse(format!(
            "is too large ({} KB; at most {} KB)",
            bytes.len().div_ceil(1024),
            max / 1024
        )));
    }
    let png = normalise(bytes)?;
    let etag = hex::encode(&Sha256::digest(&png)[..12]);
    logos::put(
        &ctx.db,
        &Logo {
            coop_id: coop.id,
            content_type: "image/png".into(),
            bytes: png,
            etag: etag.clone(),
            updated_at: Utc::now(),
        },
    )
    .await?;
    let url = format!("{}/coops/{slug}/logo.png?v={etag}", ctx.base_url());
    let patch = CoopPatch {
        logo: Some(Some(url)),
        ..CoopPatch::default()
    };
    coops::update(ctx, &scope, slug, &patch).await
}

/// Removes the uploaded logo (and the profile's pointer to it).
pub async fn remove(ctx: &AppContext, by: &Session, slug: &str) -> Result<Coop, AppError> {
    let scope = by.require_coop(slug)?;
    let coop = coops::get(ctx, slug).await?;
    logos::delete(&ctx.db, coop.id).await?;
    let patch = CoopPatch {
        logo: Some(None),
        ..CoopPatch::default()
    };
    coops::update(ctx, &scope, slug, &patch).await
}

/// The stored logo of local co-op `slug`.
pub async fn get(ctx: &AppContext, slug: &str) -> Result<Logo, AppError> {
    let coop = coops::get(ctx, slug).await?;
    logos::get(&ctx.db, coop.id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("logo of '{slug}'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 30, 30, 255]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("encode");
        out
    }

    #[test]
    fn images_are_shrunk_and_reencoded() {
        let out = normalise(&png(600, 300)).expect("png accepted");
        let back = image::load_from_memory(&out).expect("decodes");
        assert_eq!((back.width(), back.height()), (256, 128));
        let small = normalise(&png(10, 20)).expect("small png");
        let back = image::load_from_memory(&small).expect("decodes");
        assert_eq!((back.width(), back.height()), (10, 20));
    }

    #[test]
    fn non_images_are_refused() {
        for bytes in [
            b"hello, I am text".as_slice(),
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".as_slice(),
            b"GIF89a\x01\x00\x01\x00".as_slice(),
            &png(4, 4)[..20],
        ] {
            assert!(matches!(normalise(bytes), Err(AppError::Invalid(_))));
        }
    }
}
