"""Fixed parameters of the simulation: catalogue, channels, costs, lifts.

Everything the marts are expected to recover is defined here and copied to the truth folder.
"""

from __future__ import annotations

#: People are simulated in chunks of this size; fixed so output never depends on memory settings.
CHUNK_SIZE = 5000

#: Asia/Taipei offset in seconds (no daylight saving).
TPE_OFFSET = 8 * 3600

USD_TO_TWD = 32.5
LINE_UNIT_COST_TWD = 0.2
SMS_PRICE_USD_PER_SEGMENT = -0.0445
EMAIL_UNIT_COST_TWD = 0.01

SHORT_DOMAIN = "https://s.omni.tw"
SHOP_DOMAIN = "https://shop.omni.tw"
TWILIO_FROM = "+12025550143"
TWILIO_ACCOUNT_SID = "AC5f0c1e2d3b4a59687f6e5d4c3b2a1908"
LINE_BOT_ID = "U0f1e2d3c4b5a69788796a5b4c3d2e1f0"
FB_PAGE_ID = "104857600000001"
IG_ACCOUNT_ID = "17841400000000001"
STORE_DEFAULT_PHONE = "0900000000"
JUNK_EMAIL = "test@test.com"

#: Channels whose touches raise the chance of a conversion, with their per-touch lift on the
#: logit (log-odds) scale. Clearly spaced so data-driven attribution can recover the order.
CHANNEL_LIFTS: dict[str, float] = {
    "line": 1.10,
    "paid_search": 0.85,
    "sms": 0.65,
    "paid_social": 0.50,
    "email": 0.38,
    "messenger": 0.30,
    "instagram": 0.24,
    "organic_search": 0.18,
    "referral": 0.12,
    "direct": 0.06,
}
LIFT_CHANNELS = list(CHANNEL_LIFTS)
LIFT_INDEX = {c: i for i, c in enumerate(LIFT_CHANNELS)}
#: Logit intercept for one person-week with no touches.
BASE_LOGIT = -4.2
#: Touches beyond this many per channel per week add no further lift.
TOUCH_CAP = 3
#: Extra log-odds in the week after the A/B message, per arm.
AB_ARM_LIFT = {"A": 0.0, "B": 0.9}
AB_CAMPAIGN_ID = "CMP-AB-001"

PRODUCT_TAGS = [
    "plaid_shirt",
    "linen_dress",
    "denim_jacket",
    "sneakers",
    "tote_bag",
    "rain_coat",
    "knit_sweater",
    "sun_hat",
]
SIZE_TAGS = ["size_s", "size_m", "size_l"]
COLOUR_TAGS = ["dark_colours", "pastel_colours", "earth_tones"]

#: (sku, product tag, English name, Chinese name, price TWD)
PRODUCTS: list[tuple[str, str, str, str, int]] = [
    ("SKU-PS-01", "plaid_shirt", "Plaid Shirt", "格紋襯衫", 890),
    ("SKU-PS-02", "plaid_shirt", "Flannel Plaid Shirt", "法蘭絨格紋襯衫", 1190),
    ("SKU-LD-01", "linen_dress", "Linen Dress", "亞麻洋裝", 1680),
    ("SKU-LD-02", "linen_dress", "Linen Midi Dress", "亞麻中長洋裝", 1980),
    ("SKU-DJ-01", "denim_jacket", "Denim Jacket", "牛仔外套", 2280),
    ("SKU-SN-01", "sneakers", "Canvas Sneakers", "帆布鞋", 1480),
    ("SKU-SN-02", "sneakers", "Running Sneakers", "慢跑鞋", 2680),
    ("SKU-TB-01", "tote_bag", "Tote Bag", "托特包", 590),
    ("SKU-RC-01", "rain_coat", "Rain Coat", "雨衣外套", 1380),
    ("SKU-KS-01", "knit_sweater", "Knit Sweater", "針織毛衣", 1280),
    ("SKU-SH-01", "sun_hat", "Sun Hat", "遮陽帽", 490),
    ("SKU-SH-02", "sun_hat", "Bucket Hat", "漁夫帽", 550),
]

#: (store_id, store name, file encoding). One store exports Big5, one UTF-8 with BOM.
STORES: list[tuple[str, str, str]] = [
    ("S001", "台北信義店", "utf-8"),
    ("S002", "台北西門店", "cp950"),
    ("S003", "台中勤美店", "utf-8-sig"),
    ("S004", "高雄巨蛋店", "utf-8"),
    ("S005", "新竹巨城店", "utf-8"),
]

#: Paid campaigns: (platform, campaign id, name, cost per click TWD)
GOOGLE_CAMPAIGNS: list[tuple[str, str, float]] = [
    ("21000000001", "Search - Brand", 6.5),
    ("21000000002", "Search - Generic Apparel", 14.0),
    ("21000000003", "Performance Max - Summer", 9.0),
]
META_CAMPAIGNS: list[tuple[str, str, float]] = [
    ("120210000000000001", "FB Prospecting - Summer", 11.0),
    ("120210000000000002", "IG Retargeting - Cart", 7.5),
]

FIRST_NAMES = [
    "Yi-Ting",
    "Chia-Hao",
    "Wei-Ling",
    "Po-Han",
    "Hsin-Yi",
    "Chun-Wei",
    "Ya-Chu",
    "Tzu-Yu",
    "Kuan-Lin",
    "Pei-Shan",
    "Jia-Hui",
    "Cheng-En",
    "Shu-Fen",
    "Ming-Hsuan",
    "Yu-Chen",
    "An-Chi",
]
LAST_NAMES = [
    "Chen",
    "Lin",
    "Huang",
    "Chang",
    "Lee",
    "Wang",
    "Wu",
    "Liu",
    "Tsai",
    "Yang",
    "Hsu",
    "Cheng",
]
EMAIL_DOMAINS = ["gmail.com", "yahoo.com.tw", "hotmail.com", "outlook.com", "msa.hinet.net"]
AGENTS = ["amy.wu", "kevin.lin", "joyce.chen"]
CITIES = ["Taipei", "New Taipei", "Taichung", "Kaohsiung", "Tainan", "Hsinchu", "Taoyuan"]
