"""The demo province: committees, cells, members, and a user for each role."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from models import CalendarOverride, write_transaction
from workflows.accounts.accounts import assign_role, create_user
from workflows.accounts.passwords import DEMO_PASSWORD  # published in the README; refused for real accounts
from workflows.directory.directory import create_organisation, create_person
from workflows.engine import Runtime

# (key, name, kind, parent key, admission authority)
ORGANISATIONS = [
    ("province", "Đảng bộ tỉnh Quảng Trị", "province_committee", None, False),
    ("tanphu", "Đảng ủy xã Tân Phú", "grassroots_committee", "province", True),
    ("thon1", "Chi bộ thôn Phú Hưng", "cell", "tanphu", False),
    ("thon2", "Chi bộ thôn Tân Lập", "cell", "tanphu", False),
    ("truong", "Chi bộ Trường THCS Tân Phú", "cell", "tanphu", False),
    ("dongha", "Đảng ủy phường Đông Hà", "grassroots_committee", "province", False),
    ("khupho", "Đảng ủy bộ phận khu phố 1", "partial_committee", "dongha", False),
    ("kp1a", "Chi bộ khu phố 1A", "cell", "khupho", False),
    ("kp3", "Chi bộ khu phố 3", "cell", "dongha", False),
    ("namviet", "Chi bộ cơ sở Công ty CP Nam Việt", "grassroots_cell", "province", False),
    # The 2025 structure (QĐ 294-QĐ/TW): a commune-level committee directly above its grassroots cells.
    ("hoabinh", "Đảng ủy xã Hòa Bình", "commune_committee", "province", False),
    ("thondong", "Chi bộ thôn Đông", "grassroots_cell", "hoabinh", False),
    ("thontay", "Chi bộ thôn Tây", "grassroots_cell", "hoabinh", False),
]

# (username, display name, role, organisation key)
USERS = [
    ("admin", "Quản trị hệ thống", None, None),
    ("bithu.phuhung", "Nguyễn Văn Hùng — Bí thư chi bộ thôn Phú Hưng", "cell_secretary", "thon1"),
    ("bithu.tanlap", "Trần Thị Lan — Bí thư chi bộ thôn Tân Lập", "cell_secretary", "thon2"),
    ("bithu.truong", "Lê Quang Minh — Bí thư chi bộ Trường THCS", "cell_secretary", "truong"),
    ("bithu.kp1a", "Phạm Thị Hoa — Bí thư chi bộ khu phố 1A", "cell_secretary", "kp1a"),
    ("bithu.kp3", "Hoàng Văn Sơn — Bí thư chi bộ khu phố 3", "cell_secretary", "kp3"),
    ("bithu.namviet", "Võ Thị Thu — Bí thư chi bộ Công ty Nam Việt", "cell_secretary", "namviet"),
    ("capuy.tanphu", "Đặng Văn Tâm — Đảng ủy viên xã Tân Phú", "committee_member", "tanphu"),
    ("capuy.dongha", "Bùi Thị Mai — Đảng ủy viên phường Đông Hà", "committee_member", "dongha"),
    ("tochuc.tanphu", "Ngô Văn Khải — Cán bộ tổ chức xã Tân Phú", "organisation_officer", "tanphu"),
    ("tochuc.dongha", "Dương Thị Yến — Cán bộ tổ chức phường Đông Hà", "organisation_officer", "dongha"),
    ("tochuc.tinh", "Lý Văn Bảo — Ban Tổ chức Tỉnh ủy", "organisation_officer", "province"),
    ("btv.tanphu", "Phan Văn Lợi — Ban Thường vụ Đảng ủy xã Tân Phú", "standing_committee", "tanphu"),
    ("btv.tinh", "Trương Thị Hạnh — Ban Thường vụ Tỉnh ủy", "standing_committee", "province"),
    ("ubkt.tinh", "Đỗ Minh Châu — Ủy ban Kiểm tra Tỉnh ủy", "inspection_committee", "province"),
    ("thanhtra", "Mai Xuân Trường — Kiểm tra viên", "inspector", "province"),
    ("bithu.thondong", "Hồ Văn Thành — Bí thư chi bộ thôn Đông", "cell_secretary", "thondong"),
    ("bithu.thontay", "Vũ Thị Ngọc — Bí thư chi bộ thôn Tây", "cell_secretary", "thontay"),
    ("tochuc.hoabinh", "Lê Văn Phúc — Cán bộ tổ chức Đảng ủy xã Hòa Bình", "organisation_officer", "hoabinh"),
    ("btv.hoabinh", "Nguyễn Thị Hòa — Ban Thường vụ Đảng ủy xã Hòa Bình", "standing_committee", "hoabinh"),
]

# Where a cell's members and applicants live: the village or quarter of a residential cell; the commune or
# ward around a school's or a company's cell (a member's address is never the school or the company).
RESIDENCES = {
    "thon1": ["thôn Phú Hưng, xã Tân Phú"],
    "thon2": ["thôn Tân Lập, xã Tân Phú"],
    "truong": ["thôn Phú Hưng, xã Tân Phú", "thôn Tân Lập, xã Tân Phú", "thôn Đông Thạnh, xã Tân Phú"],
    "kp1a": ["khu phố 1, phường Đông Hà"],
    "kp3": ["khu phố 3, phường Đông Hà"],
    "namviet": ["khu phố 2, phường Đông Hà", "khu phố 5, phường Đông Hà", "thôn Tân Lập, xã Tân Phú"],
    "thondong": ["thôn Đông, xã Hòa Bình"],
    "thontay": ["thôn Tây, xã Hòa Bình"],
}

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Khang", "Long", "Nam", "Phong", "Quân", "Thắng",
              "Toàn", "Tuấn", "Việt", "Vinh"]
GIVEN_FEMALE = ["Anh", "Chi", "Dung", "Giang", "Hằng", "Hương", "Lan", "Linh", "Ngân", "Nhung", "Oanh", "Phương",
                "Quyên", "Trang", "Uyên", "Xuân"]
OCCUPATIONS = ["Nông dân", "Giáo viên", "Công nhân", "Cán bộ xã", "Kỹ sư", "Kinh doanh", "Y sĩ", "Bộ đội xuất ngũ"]

# Swapped working days the Government announced (admins add them each year); the holidays
# package already knows the 2026 National Day swap, this one is an illustration.
OVERRIDES = [(date(2026, 12, 26), True, "Làm bù (minh họa) cho ngày nghỉ 02/01/2027")]


@dataclass
class DemoTree:
    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    # organisation key -> person ids: official members first, then sympathisers
    members: dict[str, list[int]] = field(default_factory=dict)
    sympathisers: dict[str, list[int]] = field(default_factory=dict)
    secretaries: dict[str, str] = field(default_factory=dict)  # cell key -> username

    def user_for(self, cell: str):
        """role -> user id for the cases of a cell."""
        under_tanphu = cell in ("thon1", "thon2", "truong")
        under_hoabinh = cell in ("thondong", "thontay")
        mapping = {
            "cell_secretary": self.secretaries[cell],
            "committee_member": "capuy.tanphu" if under_tanphu else "capuy.dongha",
            "organisation_officer": "tochuc.tanphu" if under_tanphu else "tochuc.hoabinh" if under_hoabinh
            else ("tochuc.dongha" if cell != "namviet" else "tochuc.tinh"),
            "standing_committee": "btv.tanphu" if under_tanphu else "btv.hoabinh" if under_hoabinh else "btv.tinh",
            "inspection_committee": "ubkt.tinh",
            # The committee above the communes: hears strike-off appeals (QĐ 24 §8: "cấp ủy cấp trên").
            "province_standing_committee": "btv.tinh",
        }
        return lambda role: self.users[mapping[role]]


def _name(i: int, female: bool) -> str:
    middle = (MIDDLE_FEMALE if female else MIDDLE_MALE)[i % 6]
    given = (GIVEN_FEMALE if female else GIVEN_MALE)[(i * 7) % 16]
    return f"{FAMILY[(i * 5) % 16]} {middle} {given}"


def build_tree(rt: Runtime, members_per_cell: int = 6, sympathisers_per_cell: int = 12) -> DemoTree:
    """Create the organisations, users and people of the demo in one transaction."""
    tree = DemoTree()
    counter = 0
    with write_transaction(rt.session_factory) as s:
        for key, name, kind, parent, authority in ORGANISATIONS:
            tree.orgs[key] = create_organisation(
                s, name=name, kind=kind, parent_id=tree.orgs.get(parent), admission_authority=authority,
                email=f"{key}@dangbo.quangtri.example").id
        for username, display, role, org in USERS:
            user = create_user(s, username=username, password=DEMO_PASSWORD, display_name=display, check_policy=False,
                               email=f"{username}@dangbo.quangtri.example", is_admin=role is None)
            tree.users[username] = user.id
            if role:
                assign_role(s, user_id=user.id, organisation_id=tree.orgs[org], role=role)
                if role == "cell_secretary":
                    tree.secretaries[org] = username
        for key, _name_, kind, _parent, _auth in ORGANISATIONS:
            if kind not in ("cell", "grassroots_cell"):
                continue
            tree.members[key], tree.sympathisers[key] = [], []
            for i in range(members_per_cell + sympathisers_per_cell):
                counter += 1
                female = counter % 2 == 0
                member = i < members_per_cell
                born = date(1958 + (counter * 3) % 35, 1 + counter % 12, 1 + counter % 27) if member \
                    else date(1990 + counter % 14, 1 + counter % 12, 1 + (counter * 3) % 27)
                person = create_person(
                    s, organisation_id=tree.orgs[key], membership_status="official" if member else "none",
                    joined_on=date(2000 + counter % 20, 5, 19) if member else None,
                    official_on=date(2001 + counter % 20, 5, 19) if member else None,
                    full_name=_name(counter, female), birth_date=born, gender="female" if female else "male",
                    ethnicity="Kinh" if counter % 7 else "Vân Kiều", religion="Không" if counter % 5 else "Phật giáo",
                    home_address=f"Số nhà {10 + counter * 7 % 90}, "
                                 f"{RESIDENCES[key][counter % len(RESIDENCES[key])]}, tỉnh Quảng Trị",
                    education=("upper_secondary", "higher", "lower_secondary")[counter % 3],
                    occupation=OCCUPATIONS[counter % len(OCCUPATIONS)],
                    email=f"dangvien{counter}@example.vn", holds_post=member and i == 0,
                )
                (tree.members if member else tree.sympathisers)[key].append(person.id)
        for day, working, note in OVERRIDES:
            s.add(CalendarOverride(day=day, working=working, note=note))
    rt.calendar_source.invalidate()
    return tree
