#!/usr/bin/env bash
# `make run`: creates the embedded database with the demo data (`qpan demo`: Vietnam's units,
# the qpan-vn pack and the Lai Châu and Lào Cai datasets generated from demo/*.json) and
# shows the published figures it reproduces (shared/seeds/FIGURES.md) with `qpan analytics`
# and `qpan evaluate`, adds one demo account per role (passwords printed once) and starts the
# HTTP server on it (QPAN_LISTEN, default 127.0.0.1:8080) with the web application of
# web/dist (built by `make web`).
set -euo pipefail
qpan=${1:?usage: run-demo.sh QPAN_BINARY DB}
db=${2:?usage: run-demo.sh QPAN_BINARY DB}
root=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$(dirname "$db")"
"$qpan" demo --db "$db" --manifest "$root/demo/demo.json"

# The structure the demo is built on: units are effective-dated, codes are reused.
count() { "$qpan" units tree --db "$db" "$1" --at "$2" | awk -v d="$3" '{ match($0, /^ */); if (RLENGTH == 2 * d) n++ } END { print n + 0 }'; }
echo
echo "Lai Châu (12) on 2018-06-30: $(count 12 2018-06-30 1) districts, $(count 12 2018-06-30 2) communes"
echo "Lai Châu (12) on 2025-03-01: $(count 12 2025-03-01 1) districts, $(count 12 2025-03-01 2) communes"
echo "Lai Châu (12) on 2025-07-01: $(count 12 2025-07-01 1) communes directly under the province"
echo "Code 15 on 2024-01-01: $("$qpan" units tree --db "$db" 15 --at 2024-01-01 --depth 0)"
echo "Code 15 on 2025-08-01: $("$qpan" units tree --db "$db" 15 --at 2025-08-01 --depth 0)"
echo "Search ignores accents: qpan units find --db $db \"lai chau\""
"$qpan" units find --db "$db" "lai chau" --limit 3

show() {  # TITLE OU PE DX
  echo
  echo "== $1"
  "$qpan" analytics --db "$db" --ou "$2" --pe "$3" --dx "$4"
}

show "Lai Châu, từ đầu năm 2016 đến tháng 6/2018: an ninh trật tự (roll-up of commune monthly reports)" \
  12 201601..201806 \
  crime.ttxh.cases,crime.ttxh.solved,crime.ttxh.suspects,drug.cases,drug.suspects,crime.economic.cases,env.violations,traffic.accidents,traffic.deaths,traffic.injuries
show "Lai Châu, từ đầu năm 2016 đến tháng 6/2018: đối ngoại" 12 201601..201806 \
  foreign.in.delegations.van_nam,foreign.in.delegations.bac_lao,foreign.in.delegations.dai_su_quan,foreign.in.delegations.to_chuc_nn,foreign.in.delegations_total,foreign.in.persons,foreign.out.delegations.van_nam,foreign.out.persons.van_nam,foreign.out.delegations.bac_lao,foreign.coop.trainees,foreign.aid.vnd,foreign.exit.delegations,foreign.exit.individuals,foreign.exit.persons
show "Lai Châu, quý I/2022" 12 2022Q1 mil.recruit.delivered,mil.recruit.quota,foreign.in.delegations,foreign.in.persons
show "Lai Châu, năm 2021: cửa khẩu Ma Lù Thàng" 12 2021 border.gate.trade_usd.ma_lu_thang
show "Lai Châu, khu vực phòng thủ 2019–2024" 12 2019..2024 defzone.works.budget_vnd
show "Lai Châu, năm 2024: khen thưởng của Bộ CHQS tỉnh" 12 2024 \
  awards.commendation.collectives.bo_chqs_tinh,awards.commendation.individuals.bo_chqs_tinh
show "Lào Cai, 2016 và 2020: phong trào toàn dân bảo vệ an ninh Tổ quốc" 10 2016,2020 \
  movement.security_teams,movement.mediation_teams,security.key_area
show "Lào Cai, quý I/2021: khen thưởng tổng kết Chỉ thị 06" 10 2021Q1 \
  awards.emulation_flag,awards.merit.collectives,awards.merit.individuals,awards.commendation.collectives,awards.commendation.individuals

evaluate() {  # TITLE ARGS...
  echo
  echo "== $1"
  shift
  "$qpan" evaluate --db "$db" --units none "$@"
}
evaluate "Lai Châu 2016–6/2018: xã không có tệ nạn ma túy" --set eval.drug_free.commune --ou 12 --pe 201601..201806
evaluate "Lào Cai 2016 → 2020: địa bàn trọng điểm, phức tạp về ANTT" --set eval.key_area.commune --ou 10 --pe 2016,2020
evaluate "Lào Cai 2020: xếp loại phong trào toàn dân bảo vệ an ninh Tổ quốc" --set eval.movement_rating --ou 10 --pe 2020
evaluate "Lào Cai 2019 → 2020: xã đạt tiêu chuẩn “An toàn về ANTT”" --set eval.antt_safe.commune --ou 10 --pe 2019,2020
evaluate "Lào Cai 2019 → 2020: mọi đơn vị (xã, cơ quan, nhà trường) đạt tiêu chuẩn “An toàn về ANTT”" \
  --set eval.antt_safe.commune,eval.antt_safe.agency --ou 10 --pe 2019,2020 --decimals 0

# Demo accounts, one per role, with fresh random passwords shown only here.
echo
echo "== Tài khoản demo (mật khẩu chỉ hiện một lần / passwords are shown once)"
# A scope is a unit version: the code and the day it is resolved at. The demo figures are of
# 2016–2020, before the July 2025 reorganisation ended Tam Đường (106), Tả Lèng (03400) and
# old Lào Cai (10), so the scopes are resolved on 1 Jan 2020.
account() {  # USERNAME ROLE SCOPE NAME
  local password
  password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  if "$qpan" users list --db "$db" --format csv | cut -d, -f1 | grep -qx "$1"; then
    printf '%s\n%s\n' "$password" "$password" | "$qpan" users passwd --db "$db" "$1" >/dev/null
  else
    printf '%s\n%s\n' "$password" "$password" | "$qpan" users add --db "$db" "$1" --role "$2" --scope "$3" --scope-at 2020-01-01 --name "$4" >/dev/null
  fi
  printf '  %-14s %-18s phạm vi %-6s mật khẩu: %s\n' "$1" "$2" "$3" "$password"
}
account tinh.laichau province_admin 12 "Quản trị Công an tỉnh Lai Châu"
account huyen.tamduong district_reviewer 106 "Cán bộ duyệt huyện Tam Đường"
account xa.taleng commune_entry 03400 "Công an xã Tả Lèng"
account xem.laocai viewer 10 "Lãnh đạo xem số liệu Lào Cai"

listen=${QPAN_LISTEN:-127.0.0.1:8080}
web=()
echo
if [[ -f "$root/web/dist/index.html" ]]; then
  web=(--static "$root/web/dist")
  echo "Ứng dụng web / web application: http://$listen/ (đăng nhập bằng một tài khoản ở trên / sign in with an account above)"
else
  echo "web/dist is not built (make web): serving the API only"
fi
exec "$qpan" serve --db "$db" --listen "$listen" "${web[@]}"
