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
