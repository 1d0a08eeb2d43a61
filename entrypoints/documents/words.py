"""Every word printed on the office's papers, in Bahasa Indonesia (one module, so a
translation has one place to look). Templates take ``str.format`` fields."""

from __future__ import annotations

# --- the request receipt (tanda terima pengajuan) ---------------------------------
RECEIPT_TITLE = "Tanda Terima Pengajuan KTP-el"
RECEIPT_INTRO = ("Pengajuan KTP-el atas data di bawah ini telah kami terima. Simpan tanda terima "
                 "ini sampai KTP-el diserahkan.")
RECEIPT_FIELDS = {
    "short_code": "Kode kartu",
    "nik": "NIK",
    "initials": "Nama (inisial)",
    "village": "Desa/Kelurahan",
    "requested_at": "Tanggal pengajuan",
    "status": "Status saat ini",
}
RECEIPT_NEXT_TITLE = "Langkah selanjutnya"
RECEIPT_NEXT_STEPS = (
    "Data Anda diperiksa oleh pusat (Print Ready Record); Anda tidak perlu melakukan apa pun.",
    "Setelah siap, KTP-el dicetak di kantor.",
    "KTP-el diantar kurir ke alamat Anda di {village}; siapkan Kartu Keluarga (KK) "
    "untuk diperlihatkan kepada kurir.",
    "Bila kurir tidak bertemu Anda, KTP-el dapat diambil di kantor dengan membawa KK.",
)
RECEIPT_QR_CAPTION = "Pindai untuk menanyakan status: {payload}"
RECEIPT_ASK = "Untuk menanyakan status, sebutkan kode kartu {code} kepada petugas."
RECEIPT_SIGNATURE = "Petugas penerima"

STATUS = {
    "REQUESTED": "diajukan, menunggu pemeriksaan pusat",
    "READY_TO_PRINT": "siap cetak",
    "BLANK_ALLOCATED": "blangko disiapkan, menunggu cetak",
    "PRINTED": "sudah dicetak, menunggu pengantaran",
    "DISPATCHED": "dibawa kurir",
    "RETURNED": "kembali ke kantor",
    "HANDED_OVER": "sudah diserahkan",
    "CANCELLED": "dibatalkan",
    "UNCOLLECTED": "tidak diambil",
    "DESTROYED": "dimusnahkan",
}

# --- the hand-over record (berita acara serah terima) ------------------------------
HANDOVER_TITLE = "Berita Acara Serah Terima KTP-el"
HANDOVER_INTRO = ("Pada tanggal {date} kurir {courier} menerima KTP-el sesuai daftar di bawah ini "
                  "untuk diantar, dan mengembalikan hasil pengantarannya kepada kantor.")
HANDOVER_FIELDS = {
    "manifest": "Manifes",
    "courier": "Kurir",
    "date": "Tanggal",
    "villages": "Desa/Kelurahan",
    "seal": "Nomor segel",
    "status": "Status manifes",
}
MANIFEST_STATUS = {
    "OPEN": "dibuka",
    "DISPATCHED": "dibawa kurir",
    "RETURNED": "kembali ke kantor",
    "CLOSED": "ditutup",
}
HANDOVER_HEADERS = ("No.", "Kode kartu", "NIK", "Nama (inisial)", "Desa/Kelurahan", "Hasil")
OUTCOME = {
    "waiting": "belum dibawa",
    "out": "dibawa kurir",
    "attempt-failed": "gagal diantar",
    "handed-over": "diserahkan",
    "returned": "dikembalikan",
    "checked-in": "diterima kembali di kantor",
}
HANDOVER_COUNTS_TITLE = "Jumlah"
HANDOVER_TOTAL = "Jumlah kartu"
HANDOVER_SIGNATURES = ("Kurir", "Petugas penerima kembali", "Kepala Dinas")
SIGNATURE_NAME_LINE = "(nama dan tanda tangan)"
NONE = "-"

# --- the courier's sheet (lembar pengantaran) --------------------------------------
# Beside each word a code in brackets: what the clerk types into `ektp manifest record`
# (the sheet's CSV/XLSX columns take the same codes).
SHEET_TITLE = "Lembar Pengantaran KTP-el"
SHEET_FIELDS = {
    "manifest": "Manifes",
    "courier": "Kurir",
    "date": "Tanggal",
    "seal": "Nomor segel",
    "villages": "Desa/Kelurahan",
    "cards": "Jumlah kartu",
}
SHEET_HOW = ("Untuk setiap kartu centang satu hasil dan isi kolomnya. Kode dalam tanda kurung "
             "diketik petugas ke ektp manifest record saat kurir kembali.")
SHEET_LEGEND_TITLE = "Kode"
SHEET_LEGEND = {
    "reason": "Alasan gagal antar",
    "relationship": "Hubungan kuasa dengan pemilik (sesuai KK)",
    "returned": "Dikembalikan (returned): tulis alasannya dengan kata-kata.",
    "old_card": ("Pengajuan rusak atau perubahan data: KTP-el hanya diserahkan bila KTP-el lama "
                 "dikembalikan; tulis nomor serinya."),
}
SHEET_CARD = {
    "code": "Kode kartu",
    "nik": "NIK",
    "address": "Alamat",
    "kecamatan": "Kec.",
    "dusun": "Dusun",
    "phone": "Telp.",
    "request": "Pengajuan",
    "outcome": "Hasil",
    "recipient": "Penerima",
    "proxy_name": "Nama kuasa",
    "proxy_nik": "NIK kuasa",
    "proxy_kk": "No. KK",
    "relationship": "Hubungan",
    "verified_by": "Diperiksa dengan",
    "reason": "Alasan (kode)",
    "evidence": "Bukti (no. foto/TTD)",
    "old_card": "No. seri KTP-el lama",
    "at": "Waktu (tgl, jam)",
    "place": "Tempat",
    "signature": "Tanda tangan penerima",
}
SHEET_OUTCOME = {
    "handed-over": "diserahkan",
    "attempt-failed": "gagal diantar",
    "returned": "dikembalikan",
}
RECIPIENT = {"owner": "pemilik", "proxy": "kuasa"}
VERIFICATION = {"ktp": "KTP-el lama", "kk": "KK", "fingerprint": "sidik jari"}
ATTEMPT_REASON = {
    "not-at-home": "tidak ada di rumah",
    "address-not-found": "alamat tidak ditemukan",
    "moved": "pindah",
    "refused": "menolak",
    "identity-mismatch": "identitas tidak cocok",
    "deceased": "meninggal dunia",
}
RELATIONSHIP = {
    "spouse": "suami/istri",
    "parent": "orang tua",
    "child": "anak",
    "sibling": "saudara kandung",
    "grandparent": "kakek/nenek",
    "grandchild": "cucu",
    "in-law": "mertua/menantu/ipar",
    "other-family": "keluarga lain dalam KK",
}
PLACE = {"door": "rumah", "office": "kantor", "kecamatan": "kecamatan"}
REQUEST_REASON = {
    "new": "baru",
    "lost": "hilang",
    "damaged": "rusak: minta KTP-el lama",
    "data-change": "perubahan data: minta KTP-el lama",
}
SHEET_SIGNATURES = ("Petugas yang menyerahkan", "Kurir", "Petugas penerima kembali")
SHEET_PAGE = "Halaman"

# --- the destruction record (berita acara pemusnahan) ------------------------------
DESTRUCTION_TITLE = "Berita Acara Pemusnahan Blangko dan KTP-el"
DESTRUCTION_INTRO = ("Pada {period} telah dimusnahkan blangko KTP-el rusak dan KTP-el yang tidak "
                     "diambil sesuai daftar di bawah ini, disaksikan oleh para saksi yang "
                     "tercatat.")
DESTRUCTION_DAY = "tanggal {day}"
DESTRUCTION_SPAN = "tanggal {first} sampai dengan {last}"
DESTRUCTION_FIELDS = {
    "period": "Periode",
    "blanks": "Jumlah blangko",
    "cards": "Jumlah KTP-el",
    "total": "Jumlah seluruhnya",
}
DESTRUCTION_HEADERS = ("No.", "Jenis", "Nomor seri", "Kode kartu", "Alasan", "Nomor berita acara",
                       "Waktu")
DESTRUCTION_KIND = {"blank": "blangko", "card": "KTP-el"}
SPOIL_REASON = {
    "print-failed": "gagal cetak",
    "chip-not-encoded": "chip tidak terisi",
    "physical-damage": "rusak fisik",
}
DESTRUCTION_SITTINGS_TITLE = "Pemusnahan dan saksi"
DESTRUCTION_SITTING_HEADERS = ("Nomor berita acara", "Waktu", "Cara", "Jumlah", "Dicatat oleh",
                               "Saksi")
DESTRUCTION_METHOD = {"burn": "dibakar", "cut": "dipotong"}
DESTRUCTION_NO_WITNESS = "tidak tercatat: saksi menandatangani di bawah"
DESTRUCTION_NOTHING = "Tidak ada blangko atau KTP-el yang dimusnahkan pada periode ini."
DESTRUCTION_SIGNATURES = ("Petugas pengelola blangko", "Saksi", "Saksi", "Kepala Dinas")
