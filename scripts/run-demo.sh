#!/usr/bin/env bash
# `make run`: creates the embedded database with the demo data (`qpan demo`: Vietnam's units,
# the qpan-vn pack and the Lai Châu and Lào Cai datasets generated from demo/*.json) and
# shows the published figures it reproduces (shared/seeds/FIGURES.md) with `qpan analytics`.
# (The HTTP server comes with later work; until then this is the demo.)
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

# Until the evaluation engine exists, the evaluation figures are counted from the raw values.
if command -v sqlite3 >/dev/null; then
  echo
  echo "== Đánh giá (from the values, until the evaluation engine exists)"
  sqlite3 -batch "$db" "
    WITH commune AS (SELECT DISTINCT code FROM org_unit WHERE level = 'commune'
                     AND parent_code IN (SELECT code FROM org_unit WHERE level = 'district' AND parent_code = '12')),
    v AS (SELECT k.code AS unit, sum(d.value) AS cases FROM data_value d JOIN unit_key k ON k.id = d.unit_id
          WHERE d.element_id = (SELECT id FROM data_element WHERE code = 'drug.cases')
            AND d.period BETWEEN 2000000201601 AND 2000000201806 AND k.code IN (SELECT code FROM commune)
          GROUP BY k.code)
    SELECT 'Lai Châu 2016–6/2018: ' || sum(cases = 0) || '/' || count(*) || ' xã, phường, thị trấn không có ma túy' FROM v;"
  sqlite3 -batch "$db" "
    WITH v AS (SELECT k.code AS unit, d.period AS p, d.value AS on_list FROM data_value d JOIN unit_key k ON k.id = d.unit_id
               WHERE d.element_id = (SELECT id FROM data_element WHERE code = 'security.key_area'))
    SELECT 'Lào Cai 2016–2020: ' || count(*) || ' xã được đưa ra khỏi danh sách địa bàn trọng điểm, phức tạp'
    FROM v a JOIN v b ON a.unit = b.unit
    WHERE a.p = 5000000002016 AND a.on_list = 1 AND b.p = 5000000002020 AND b.on_list = 0;"
fi
