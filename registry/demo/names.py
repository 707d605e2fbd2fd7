"""Word lists for Hải Phòng demo data: fictional trading names on real streets of the pre-2025 districts.

Every trading name here is invented. Street names are real streets of the city; which ward a street is put in
is plausible, not checked against a cadastral map.
"""
from __future__ import annotations

#: Real streets by pre-2025 district code (the admin-unit codes of the preset).
STREETS_BY_DISTRICT: dict[str, tuple[str, ...]] = {
    "HP-D-LECHAN": ("Tô Hiệu", "Hai Bà Trưng", "Trần Nguyên Hãn", "Cát Cụt", "Chợ Hàng", "Nguyễn Văn Linh",
                    "Hồ Sen", "Dư Hàng", "Lạch Tray", "Thiên Lôi", "Võ Nguyên Giáp"),
    "HP-D-NGOQUYEN": ("Lạch Tray", "Văn Cao", "Lê Lợi", "Trần Phú", "Điện Biên Phủ", "Lê Hồng Phong", "Cầu Đất",
                      "Đà Nẵng", "Lê Lai", "Lương Khánh Thiện", "Nguyễn Bình"),
    "HP-D-HONGBANG": ("Hoàng Văn Thụ", "Minh Khai", "Quang Trung", "Điện Biên Phủ", "Trần Hưng Đạo", "Hùng Vương",
                      "Tam Bạc", "Phan Bội Châu", "Hạ Lý", "Trần Quang Khải"),
    "HP-D-HAIAN": ("Văn Cao", "Lê Hồng Phong", "Ngô Gia Tự", "Cát Bi", "Nguyễn Văn Linh", "Lê Thánh Tông",
                   "Đằng Hải", "Trung Lực"),
    "HP-D-KIENAN": ("Trần Thành Ngọ", "Phan Đăng Lưu", "Trần Nhân Tông", "Lê Quốc Uy", "Quán Trữ", "Lê Duẩn"),
}

#: Share of venues in each pre-2025 district (central districts have most venues).
DISTRICT_WEIGHTS: dict[str, int] = {
    "HP-D-LECHAN": 30, "HP-D-NGOQUYEN": 30, "HP-D-HONGBANG": 15, "HP-D-HAIAN": 15, "HP-D-KIENAN": 10,
}

#: Streets for venues recorded after 2025-07-01, by post-reorganisation ward code (no district level).
STREETS_BY_NEW_WARD: dict[str, tuple[str, ...]] = {
    "HP-W25-LECHAN": ("Tô Hiệu", "Hai Bà Trưng", "Trần Nguyên Hãn"),
    "HP-W25-ANBIEN": ("Chợ Hàng", "Hồ Sen", "Thiên Lôi"),
    "HP-W25-NGOQUYEN": ("Lạch Tray", "Văn Cao", "Lê Lợi"),
    "HP-W25-GIAVIEN": ("Điện Biên Phủ", "Trần Phú", "Lê Lai"),
    "HP-W25-HONGBANG": ("Hoàng Văn Thụ", "Minh Khai", "Quang Trung"),
    "HP-W25-HAIAN": ("Lê Hồng Phong", "Ngô Gia Tự", "Cát Bi"),
    "HP-W25-KIENAN": ("Trần Thành Ngọ", "Phan Đăng Lưu"),
}

#: Approximate centre of each area (latitude, longitude), kept inside 20.80–20.88 N, 106.64–106.74 E.
CENTRES: dict[str, tuple[float, float]] = {
    "HP-D-LECHAN": (20.846, 106.680), "HP-D-NGOQUYEN": (20.856, 106.697), "HP-D-HONGBANG": (20.862, 106.670),
    "HP-D-HAIAN": (20.836, 106.722), "HP-D-KIENAN": (20.812, 106.646),
    "HP-W25-LECHAN": (20.846, 106.680), "HP-W25-ANBIEN": (20.852, 106.685), "HP-W25-NGOQUYEN": (20.856, 106.697),
    "HP-W25-GIAVIEN": (20.861, 106.690), "HP-W25-HONGBANG": (20.862, 106.670), "HP-W25-HAIAN": (20.836, 106.722),
    "HP-W25-KIENAN": (20.812, 106.646),
}

#: Fictional trading names, by venue kind. "Hoa Sen" and "Hòa Sen" are different venues on purpose: searching
#: either finds both (diacritic-insensitive search).
KARAOKE_NAMES = (
    "Karaoke Hoa Sen", "Karaoke Hòa Sen", "Karaoke Hòa Bình", "Karaoke Sao Mai", "Karaoke Biển Xanh",
    "Karaoke Ánh Dương", "Karaoke Phượng Đỏ", "Karaoke Nốt Nhạc Vàng", "Karaoke Giai Điệu", "Karaoke Kim Cương",
    "Karaoke Hương Biển", "Karaoke Hoa Phượng", "Karaoke Cánh Diều", "Karaoke Trăng Vàng", "Karaoke Hải Đăng",
    "Karaoke Bến Cảng", "Karaoke Mây Trắng", "Karaoke Thiên Thanh", "Karaoke Hồng Nhung", "Karaoke Tuổi Xanh",
    "Karaoke Sóng Nhạc", "Karaoke Ngọc Trai", "Karaoke Sơn Ca", "Karaoke Họa Mi", "Karaoke Bông Lau",
    "Karaoke Phố Biển", "Karaoke Ánh Trăng Xanh", "Karaoke Hoàng Gia Cát Bi", "Karaoke Lam Ngọc", "Karaoke Bình Minh",
    "Karaoke Vầng Trăng", "Karaoke Thanh Âm", "Karaoke Hoa Sữa", "Karaoke Đêm Vàng", "Karaoke Tiếng Hát Biển",
    "Karaoke Mùa Xuân", "Karaoke Gió Biển", "Karaoke Cầu Vồng", "Karaoke Ốc Đảo", "Karaoke Pha Lê",
    "Karaoke Thủy Tiên", "Karaoke Ngôi Sao", "Karaoke Du Ca", "Karaoke Hạ Long Xanh", "Karaoke Tình Ca",
)
DANCE_HALL_NAMES = (
    "Vũ trường Sao Biển", "Vũ trường Ánh Trăng", "Vũ trường Cánh Buồm", "Vũ trường Hải Âu",
    "Vũ trường Nhịp Sóng", "Vũ trường Đêm Cảng", "Vũ trường Tinh Tú",
)
CLUB_NAMES = (
    "CLB Khiêu vũ Hoa Phượng", "CLB Nghệ thuật Sông Cấm", "CLB Dân vũ Tam Bạc", "CLB Âm nhạc Bến Bính",
    "CLB Giao lưu Văn nghệ Cát Bi",
)

#: Sports facilities: name → sports catalogue codes offered (first one is the main sport).
SPORTS_VENUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("CLB Bơi lội Lạch Tray", ("swimming",)),
    ("Bể bơi Hồ Sen", ("swimming", "aerobics")),
    ("Trung tâm Thể hình Ánh Sáng", ("fitness_bodybuilding", "aerobics", "yoga")),
    ("Sân Cầu lông Văn Cao", ("badminton",)),
    ("CLB Võ thuật Bạch Đằng", ("karate", "taekwondo", "vovinam")),
    ("Trung tâm Yoga An Nhiên", ("yoga",)),
    ("Sân Quần vợt Tô Hiệu", ("tennis",)),
    ("CLB Leo núi nhân tạo Đỉnh Cao", ("artificial_climbing",)),
    ("CLB Billiards Cơ Thủ", ("billiards",)),
    ("Sân Pickleball Hải An", ("pickleball", "tennis")),
    ("CLB Bóng bàn Ngô Quyền", ("table_tennis",)),
    ("Sân bóng đá mini Cát Bi", ("football", "futsal")),
    ("CLB Khiêu vũ thể thao Hoa Sen", ("dancesport",)),
    ("Trung tâm Thể thao Dư Hàng", ("badminton", "table_tennis", "fitness_bodybuilding")),
    ("Bể bơi Phượng Vĩ", ("swimming", "diving")),
    ("CLB Quyền Anh Cảng Biển", ("boxing", "muay")),
    ("CLB Bắn cung Sông Lấp", ("archery",)),
    ("Sân Golf tập Hải Thành", ("golf",)),
)

#: Words used to build operator (company) names and synthetic trading names.
COMPANY_WORDS = (
    "Hoa Sen", "Sao Biển", "Hải Đăng", "Bạch Đằng", "Phượng Đỏ", "Ánh Dương", "Sông Cấm", "Bến Cảng", "Kim Cương",
    "Hòa Bình", "Thiên Thanh", "Hải Âu", "Cánh Buồm", "Ngọc Trai", "Hồng Hà", "Tam Bạc", "Đồ Sơn", "Cát Bi",
    "Minh Phát", "Thành Đạt", "Hưng Thịnh", "An Phú", "Phúc Lộc", "Trường Sơn", "Đông Hải", "Vạn Xuân",
)
COMPANY_FORMS = ("Công ty TNHH", "Công ty TNHH MTV", "Công ty Cổ phần")
COMPANY_TRADES = ("Giải trí", "Dịch vụ Giải trí", "Thương mại và Dịch vụ", "Đầu tư Giải trí", "Du lịch và Giải trí")
SPORTS_TRADES = ("Thể thao", "Văn hóa Thể thao", "Dịch vụ Thể thao")

#: Middle names composed with Faker's vi_VN family and given names (Faker's own ``name()`` puts them in
#: Western order with titles, which no Vietnamese document does).
MALE_MIDDLE = ("Văn", "Đức", "Quang", "Hữu", "Xuân", "Thế", "Minh", "Quốc", "Công", "Hoàng")
FEMALE_MIDDLE = ("Thị", "Thu", "Ngọc", "Thanh", "Mai", "Thị Thu", "Hồng", "Minh")

#: Words for synthetic trading names (``flask demo --venues N``): prefix by kind × two word lists.
SYNTHETIC_PREFIX = {
    "karaoke": "Karaoke", "dance_hall": "Vũ trường", "club": "CLB", "sports": "Trung tâm Thể thao",
}
SYNTHETIC_WORDS_A = (
    "Hoa", "Sao", "Ánh", "Biển", "Sông", "Hải", "Kim", "Ngọc", "Phượng", "Thiên", "Hồng", "Bạch", "Minh", "Thanh",
    "Hòa", "Vạn", "Phúc", "Tân", "Đông", "Nam", "Bắc", "Tây", "Lam", "Bình", "An", "Trường", "Gia", "Hưng",
)
SYNTHETIC_WORDS_B = (
    "Sen", "Mai", "Dương", "Xanh", "Cảng", "Đăng", "Cương", "Trai", "Đỏ", "Thanh", "Nhung", "Đằng", "Châu", "Long",
    "Bình", "Xuân", "Lộc", "Phát", "Hải", "Phong", "Sơn", "Thủy", "Ngọc", "Vân", "Hà", "Linh", "Hương", "Quang",
)
