"""The shared upload validator, fed with real files generated here with Pillow."""

import io
import struct
import zipfile
import zlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from lutetia.core.uploads import (
    CleanDocument,
    CleanImage,
    DocumentUploadField,
    ImageUploadField,
    make_thumbnail,
    validate_document,
    validate_image,
)

GPS_IFD = 0x8825
ORIENTATION = 0x0112
RED, BLUE = (220, 20, 20), (20, 20, 220)


def image_bytes(fmt="JPEG", size=(64, 48), color=RED, mode="RGB", **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def reopen(clean: CleanImage) -> Image.Image:
    clean.content.seek(0)
    return Image.open(io.BytesIO(clean.content.read()))


def error_code(excinfo) -> str:
    return excinfo.value.error_list[0].code


def gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 24.0)
    gps[3] = "E"
    gps[4] = (2.0, 21.0, 7.0)
    return image_bytes("JPEG", exif=exif, comment=b"secret comment")


def png_with_declared_size(width: int, height: int) -> bytes:
    """A small real PNG whose header claims another size, with a valid IHDR checksum."""
    data = bytearray(image_bytes("PNG", size=(10, 10)))
    ihdr_start = 8 + 4  # signature, then the chunk length
    fields = struct.pack(">II", width, height) + bytes(data[ihdr_start + 12 : ihdr_start + 17])
    chunk = b"IHDR" + fields
    data[ihdr_start : ihdr_start + 17] = chunk
    data[ihdr_start + 17 : ihdr_start + 21] = struct.pack(">I", zlib.crc32(chunk))
    return bytes(data)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ODT = zip_bytes(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
)
DOCX = zip_bytes(
    {
        "[Content_Types].xml": (
            b'<Types><Override PartName="/word/document.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "word/document.xml": b"<w:document/>",
    }
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- Images -------------------------------------------------------------------------


def test_jpeg_loses_gps_and_all_exif_but_keeps_its_pixels():
    original = gps_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)

    clean = validate_image(upload(original))

    image = reopen(clean)
    assert not image.getexif()
    assert "exif" not in image.info and "comment" not in image.info
    assert (clean.format, clean.content_type, clean.width, clean.height) == (
        "JPEG",
        "image/jpeg",
        64,
        48,
    )
    red, green, blue = image.convert("RGB").getpixel((32, 24))
    assert red > 200 and green < 50 and blue < 50


def test_clean_image_gets_a_generated_name():
    clean = validate_image(upload(gps_jpeg(), name="../../etc/passwd.jpg"))
    stem, extension = clean.content.name.split(".")
    assert extension == "jpg" and len(stem) == 32 and "/" not in clean.content.name


def test_png_text_chunks_are_stripped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jeanne Dupont, 12 rue de Rivoli")
    original = image_bytes("PNG", pnginfo=info, mode="RGBA", color=(*BLUE, 128))
    assert Image.open(io.BytesIO(original)).text

    clean = validate_image(upload(original, name="a.png", content_type="image/png"))

    image = reopen(clean)
    assert image.format == "PNG" and clean.content.name.endswith(".png")
    assert not image.text and "Author" not in image.info
    assert image.getpixel((0, 0)) == (*BLUE, 128)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_icc_profile_and_xmp_are_stripped(fmt):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/">Jeanne Dupont</x:xmpmeta>'
    if fmt == "PNG":  # PNG keeps XMP in an iTXt chunk
        pnginfo = PngImagePlugin.PngInfo()
        pnginfo.add_itxt("XML:com.adobe.xmp", xmp)
        original = image_bytes(fmt, icc_profile=profile, pnginfo=pnginfo)
    else:
        original = image_bytes(fmt, icc_profile=profile, xmp=xmp.encode())
    assert "icc_profile" in Image.open(io.BytesIO(original)).info and b"Jeanne" in original

    clean = validate_image(upload(original))

    assert not {"icc_profile", "xmp", "exif"} & set(reopen(clean).info)
    assert b"Jeanne" not in clean.content.read()


def test_webp_is_accepted():
    clean = validate_image(upload(image_bytes("WEBP"), name="x.webp"))
    assert (clean.format, clean.content_type) == ("WEBP", "image/webp")


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # stored landscape, to be shown rotated 90° clockwise
    clean = validate_image(upload(image_bytes("JPEG", size=(60, 30), exif=exif)))
    assert (clean.width, clean.height) == (30, 60)
    assert not reopen(clean).getexif()


def test_text_file_named_jpg_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload(b"<?php system($_GET['c']); ?>", name="photo.jpg"))
    assert error_code(excinfo) == "unsupported_type"


def test_gif_is_not_an_accepted_image_type():
    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload(image_bytes("GIF"), name="photo.jpg"))
    assert error_code(excinfo) == "unsupported_type"


def test_oversized_file_is_refused():
    data = image_bytes("PNG", size=(200, 200))
    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload(data), max_bytes=len(data) - 1)
    assert error_code(excinfo) == "too_large"
    assert validate_image(upload(data), max_bytes=len(data)).format == "PNG"


def test_image_over_the_pixel_cap_is_refused(settings):
    settings.LUTETIA_UPLOAD_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload(image_bytes("JPEG", size=(101, 100))))
    assert error_code(excinfo) == "too_many_pixels"
    assert validate_image(upload(image_bytes("JPEG", size=(100, 100)))).width == 100


@pytest.mark.parametrize(
    "side",
    [
        20_000,  # over twice Pillow's own limit: DecompressionBombError when opening
        9_500,  # between Pillow's warning and error limits
        7_000,  # under Pillow's limits, over ours (40 Mpx): our check from the header
    ],
)
def test_decompression_bomb_is_refused_before_decoding(side):
    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload(png_with_declared_size(side, side), name="bomb.png"))
    assert error_code(excinfo) == "too_many_pixels"


def test_truncated_image_is_corrupt():
    with pytest.raises(ValidationError) as excinfo:
        validate_image(upload(png_with_declared_size(2_000, 2_000), name="short.png"))
    assert error_code(excinfo) == "corrupt"


def test_thumbnail_fits_the_box_and_keeps_the_format():
    clean = validate_image(upload(image_bytes("JPEG", size=(1200, 600))))
    thumbnail = Image.open(io.BytesIO(make_thumbnail(clean).read()))
    assert thumbnail.size == (400, 200) and thumbnail.format == "JPEG"
    assert reopen(clean).size == (1200, 600)  # the original is still readable


def test_thumbnail_from_bytes_strips_metadata_and_never_enlarges():
    content = make_thumbnail(gps_jpeg(), size=(100, 100))
    thumbnail = Image.open(io.BytesIO(content.read()))
    assert thumbnail.size == (64, 48) and not thumbnail.getexif()
    assert content.name.endswith(".jpg")


# --- Documents ----------------------------------------------------------------------


def test_pdf_is_accepted_under_a_safe_name():
    document = validate_document(upload(PDF, name="facture.exe", content_type="text/html"))
    assert (document.kind, document.content_type) == ("pdf", "application/pdf")
    assert document.content.name.endswith(".pdf") and "facture" not in document.content.name
    assert document.content.read() == PDF


def test_fake_pdf_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_document(upload(b"<html>not a pdf</html>", name="x.pdf"))
    assert error_code(excinfo) == "unsupported_type"


def test_office_documents_are_recognised_by_their_contents():
    assert validate_document(upload(ODT, name="a.pdf")).kind == "odt"
    docx = validate_document(upload(DOCX, name="a.odt"))
    assert docx.kind == "docx" and docx.content.name.endswith(".docx")


def test_plain_zip_and_broken_zip_are_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_document(upload(zip_bytes({"evil.exe": b"MZ"}), name="a.docx"))
    assert error_code(excinfo) == "unsupported_type"
    with pytest.raises(ValidationError) as excinfo:
        validate_document(upload(b"PK\x03\x04" + b"\0" * 40, name="a.docx"))
    assert error_code(excinfo) == "corrupt"


def test_document_images_are_cleaned_too():
    document = validate_document(upload(gps_jpeg(), name="scan.pdf"))
    assert (document.kind, document.content_type) == ("jpeg", "image/jpeg")
    assert not Image.open(io.BytesIO(document.content.read())).getexif()


def test_document_kind_outside_allowed_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_document(upload(DOCX), allowed=("pdf",))
    assert error_code(excinfo) == "unsupported_type"
    assert "PDF" in excinfo.value.messages[0]


def test_oversized_document_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        validate_document(upload(PDF), max_bytes=10)
    assert error_code(excinfo) == "too_large"


def test_plain_file_object_is_accepted():
    assert validate_document(ContentFile(PDF, name="a.pdf")).kind == "pdf"


# --- Form fields ----------------------------------------------------------------------


class ReportForm(forms.Form):
    photo = ImageUploadField()
    attachment = DocumentUploadField(required=False, allowed=("pdf", "odt"))


def test_form_fields_return_clean_files():
    form = ReportForm(data={}, files={"photo": upload(gps_jpeg()), "attachment": upload(PDF)})
    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["photo"], CleanImage)
    assert isinstance(form.cleaned_data["attachment"], CleanDocument)


def test_form_fields_show_errors_next_to_the_field():
    form = ReportForm(data={}, files={"photo": upload(b"not an image"), "attachment": upload(DOCX)})
    assert not form.is_valid()
    assert form.has_error("photo", "unsupported_type")
    assert form.has_error("attachment", "unsupported_type")
    assert "PDF, ODT" in form.errors["attachment"][0]


def test_form_fields_tell_the_browser_what_to_offer():
    html = str(ReportForm()["attachment"]) + str(ReportForm()["photo"])
    assert 'accept=".pdf,.odt"' in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html
