"""The type of a file comes from its content, against an allowlist."""

import io

import pytest

from core.documents import sniffing
from tests.core.documents.conftest import ELF, HTML, JPEG, PDF, PNG, docx_bytes, plain_zip_bytes, xlsx_bytes


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (PDF, "a.pdf", sniffing.PDF),
        (PNG, "a.png", sniffing.PNG),
        (JPEG, "a.jpg", sniffing.JPEG),
        (xlsx_bytes(), "a.xlsx", sniffing.XLSX),
        (docx_bytes(), "a.docx", sniffing.DOCX),
        ("Nom;Prénom\nDupont;Élise\n".encode("cp1252"), "a.csv", sniffing.CSV),
        ("Compte rendu de l'assemblée\n".encode(), "notes.txt", sniffing.TXT),
        (HTML, "a.pdf", None),
        (b"  \n<svg xmlns='http://www.w3.org/2000/svg'/>", "a.txt", None),
        (b"Bonjour <script>alert(1)</script>", "a.txt", None),
        (ELF, "a.pdf", None),
        (plain_zip_bytes(), "a.docx", None),
        (b"", "a.txt", None),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a.gif", None),
    ],
)
def test_type_comes_from_the_content(content, name, expected):
    file = io.BytesIO(content)
    file.read(3)  # the sniffer rewinds whatever the position
    assert sniffing.file_type_sniff(file, name=name) == expected
    assert file.tell() == 0
