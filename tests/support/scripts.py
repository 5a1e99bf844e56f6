"""One short diary sentence in each script SafeDiary prints, plus emoji and mixed lines."""

from __future__ import annotations

#: name -> text. Right-to-left samples are listed in RTL below.
SAMPLES: dict[str, str] = {
    "English": "He sent 14 texts at 3 am, then waited outside.",
    "Polish": "Zażółć gęślą jaźń — czekał pod domem.",
    "Romanian": "M-a urmărit până acasă și a așteptat în fața ușii.",
    "Greek": "Με ακολούθησε μέχρι το σπίτι.",
    "Russian": "Он ждал меня у подъезда.",
    "Arabic": "كان ينتظرني خارج المنزل لا أعرف لماذا",
    "Urdu": "وہ میرے گھر کے باہر کھڑا تھا۔",
    "Hebrew": "הוא חיכה לי מחוץ לבית",
    "Hindi": "वह मेरे घर के बाहर खड़ा था। क्षमा नहीं",
    "Bengali": "সে আমার বাড়ির বাইরে দাঁড়িয়ে ছিল।",
    "Punjabi": "ਉਹ ਮੇਰੇ ਘਰ ਦੇ ਬਾਹਰ ਖੜ੍ਹਾ ਸੀ।",
    "Gujarati": "તે મારા ઘરની બહાર ઊભો હતો.",
    "Tamil": "அவன் என் வீட்டுக்கு வெளியே நின்றான்.",
    "Thai": "เขายืนรออยู่หน้าบ้านของฉัน",
    "Chinese": "他在我家门外等我。",
    "Chinese (Traditional)": "他在我家門外等我。",
    "Japanese": "彼は家の外で待っていた。",
    "Korean": "그는 우리 집 밖에서 기다리고 있었다.",
    "Emoji": "He sent 🔪 at 3 am, then 😘 and 👍🏽",
    "Mixed": "He texted أنا أراقبك at 3 am",
}

RTL = frozenset({"Arabic", "Urdu", "Hebrew"})
