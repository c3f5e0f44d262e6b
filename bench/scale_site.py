#!/usr/bin/env python3
"""Generate a huibao site equivalent to the Hugo anchor site of gen_anchor_sites.py, but made
from data, as users build it: one YAML file per village (~60 figures), a schema with types,
units, ranges and rules, every figure of the page printed from the data, two charts per
village page (a pie and a grouped bar chart) and an overview table of all villages.

Usage:
    python3 bench/scale_site.py N TARGET_DIR [--anchors DIR]

DIR holds gen_anchor_sites.py (default: ../shared/bench beside the repository); its number
functions make the same figures, so each village page says what the Hugo page says (plus
charts, and the provenance huibao adds to every figure). Deterministic: same N, same bytes.
Standard library only.
"""

import argparse
import importlib.util
import os
import shutil
import sys

MARKER = ".scale_site"


def load_anchors(path):
    spec = importlib.util.spec_from_file_location("gen_anchor_sites", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def village_yaml(a, i, name):
    """The figures of village i, as gen_anchor_sites.page_body computes them."""
    num, money = a.num, a.money
    rh = num(i, 4, 40, 200)
    h = num(i, 2, 300, 1500)
    lines = [
        f"name: {name}",
        f"distance_km: {num(i, 12, 2, 25)}",
        f"groups: {num(i, 1, 4, 15)}",
        f"households: {h}",
        f"people: {h * 3 + num(i, 3, 0, 400)}",
        f"farmland_mu: {num(i, 13, 800, 6000)}",
        "registered:",
        f"  households: {rh}",
        f"  people: {rh * 3 + num(i, 5, 0, 90)}",
        "causes:",
        f"  illness: {num(i, 6, 10, rh // 2)}",
        f"  schooling: {num(i, 7, 3, 20)}",
        f"  other: {rh - num(i, 6, 10, rh // 2) - num(i, 7, 3, 20)}",
        f"exit_year: {num(i, 14, 2018, 2020)}",
        "students:",
        f"  preschool: {num(i, 8, 5, 30)}",
        f"  compulsory: {num(i, 9, 20, 90)}",
        f"  high_school: {num(i, 10, 5, 30)}",
        f"  university: {num(i, 11, 2, 20)}",
        f"education_aid_wan: {money(i, 15, 5, 60)}",
        f"yulu_person_times: {num(i, 16, 1, 30)}",
        f"dropouts_returned: {num(i, 17, 0, 5)}",
        f"family_doctor_people: {num(i, 18, 50, 400)}",
        f"hospitalisations: {num(i, 19, 20, 300)}",
        f"reimbursement_percent: {num(i, 20, 85, 95)}.{num(i, 21, 0, 99):02d}",
        f"chronic_people: {num(i, 22, 10, 120)}",
        f"collective_income_wan: {money(i, 23, 3, 50)}",
        f"crops_mu: {num(i, 24, 100, 2000)}",
        f"livestock: {num(i, 25, 50, 3000)}",
        f"industry_households: {num(i, 26, 10, rh)}",
        f"income_increase_yuan: {num(i, 27, 1000, 6000)}",
        f"houses_renovated: {num(i, 28, 0, 40)}",
        f"pipes_m: {num(i, 29, 200, 5000)}",
        "exits:",
    ]
    for r in range(8):
        lines += [
            f"  - year: {2013 + r}",
            f"    households: {num(i, 100 + r, 0, 60)}",
            f"    people: {num(i, 200 + r, 0, 220)}",
            f"    funds_wan: {money(i, 300 + r, 1, 120)}",
        ]
    lines += [
        f"cadres: {num(i, 40, 3, 60)}",
        f"visits_per_month: {num(i, 41, 1, 4)}",
        f"dibao_households: {num(i, 42, 10, 150)}",
        f"special_support_people: {num(i, 43, 0, 20)}",
        f"public_jobs: {num(i, 44, 2, 30)}",
        f"migrant_workers: {num(i, 45, 20, 400)}",
        f"microcredit_wan: {money(i, 46, 10, 200)}",
        f"interest_subsidy_wan: {money(i, 47, 1, 10)}",
        f"trainings: {num(i, 48, 2, 20)}",
        f"trainees: {num(i, 49, 50, 600)}",
        f"talks: {num(i, 50, 2, 24)}",
        f"model_households: {num(i, 51, 1, 15)}",
    ]
    return "\n".join(lines) + "\n"


SCHEMA = """types:
  n: {type: count}
  hp:
    households: {type: count, unit: 户, label: 户数}
    people: {type: count, unit: 人, label: 人数}
  wan: {type: amount, unit: 万元, dp: 2}
files:
  township.yaml:
    label: 乡基本情况
    fields:
      name: {type: text, label: 乡名}
      village_committees: {type: count, label: 村委会数, unit: 个}
  villages/*.yaml:
    label: 村委会
    fields:
      name: {type: text, label: 村名, unique: true}
      distance_km: {type: decimal, label: 距乡政府, unit: 公里, min: 0, max: 100}
      groups: {type: n, label: 村民小组}
      households: {type: count, label: 总户数, unit: 户}
      people: {type: count, label: 总人口, unit: 人}
      farmland_mu: {type: n, label: 耕地面积}
      registered: {type: hp, label: 建档立卡}
      causes:
        label: 致贫原因
        fields:
          illness: {type: n, label: 因病}
          schooling: {type: n, label: 因学}
          other: {type: n, label: 缺劳力及其他}
      exit_year: {type: year, label: 退出年度, min: 2014, max: 2020}
      students:
        label: 在校学生
        fields:
          preschool: {type: n, label: 学前教育}
          compulsory: {type: n, label: 义务教育}
          high_school: {type: n, label: 高中及中职}
          university: {type: n, label: 高等教育}
      education_aid_wan: {type: wan, label: 教育资助资金}
      yulu_person_times: {type: n, label: 雨露计划}
      dropouts_returned: {type: n, label: 劝返复学}
      family_doctor_people: {type: n, label: 家庭医生签约}
      hospitalisations: {type: n, label: 住院人次}
      reimbursement_percent: {type: percent, label: 报销比例, unit: "%", dp: 2}
      chronic_people: {type: n, label: 慢性病患者}
      collective_income_wan: {type: wan, label: 村集体经济收入}
      crops_mu: {type: n, label: 特色种植}
      livestock: {type: n, label: 养殖}
      industry_households: {type: n, label: 产业带动贫困户}
      income_increase_yuan: {type: amount, unit: 元, label: 户均增收}
      houses_renovated: {type: n, label: 危房改造}
      pipes_m: {type: n, label: 供水管道}
      exits:
        type: list
        label: 历年脱贫
        items:
          fields:
            year: {type: year, label: 年度, unique: true}
            households: {type: n, label: 脱贫户数}
            people: {type: n, label: 脱贫人数}
            funds_wan: {type: wan, label: 投入资金}
      cadres: {type: n, label: 结对帮扶干部}
      visits_per_month: {type: n, label: 每月走访}
      dibao_households: {type: n, label: 低保户}
      special_support_people: {type: n, label: 特困供养}
      public_jobs: {type: n, label: 公益性岗位}
      migrant_workers: {type: n, label: 劳务输出}
      microcredit_wan: {type: wan, label: 小额信贷}
      interest_subsidy_wan: {type: wan, label: 贴息}
      trainings: {type: n, label: 培训期数}
      trainees: {type: n, label: 培训人次}
      talks: {type: n, label: 宣讲场次}
      model_households: {type: n, label: 脱贫光荣户}
rules:
  - id: village-people-per-household
    each: v in villages.*
    check: v.registered.people >= v.registered.households
    message: 本村建档立卡人数不应少于户数
  - id: village-causes-add-up
    each: v in villages.*
    check: v.causes.illness + v.causes.schooling + v.causes.other == v.registered.households
    message: 各致贫原因户数之和应等于建档立卡户数
  - id: village-files-count
    check: count(villages.*) == township.village_committees
    message: 村文件数应等于村委会数
"""

VILLAGE_PAGE = """+++
title = "村委会"
weight = 10
generate = "villages"
as = "v"
number_headings = true
+++
{%- set s = v.students -%}
## 基本情况

{{ v.name }}位于乡政府驻地以西{{ v.distance_km | fig(unit="公里") }}，辖{{ v.groups | fig(unit="个") }}村民小组，总户数{{ v.households | fig(unit="户") }}、总人口{{ v.people | fig(unit="人") }}，耕地面积{{ v.farmland_mu | fig(unit="亩") }}。全村共有建档立卡贫困户{{ v.registered.households | fig(unit="户") }}{{ v.registered.people | fig(unit="人") }}，其中因病致贫{{ v.causes.illness | fig(unit="户") }}、因学致贫{{ v.causes.schooling | fig(unit="户") }}、缺劳力及其他原因致贫{{ v.causes.other | fig(unit="户") }}。自精准扶贫工作开展以来，村两委在驻村工作队和帮扶单位的支持下，坚持精准识别、精准帮扶、精准退出，逐户制定帮扶计划，做到一户一策、一人一法，截至{{ v.exit_year }}年底已实现整村退出。

{{ chart(kind="pie", title="建档立卡贫困户致贫原因", labels=["因病", "因学", "缺劳力及其他"], values=[v.causes.illness, v.causes.schooling, v.causes.other], unit="户") }}

## 教育扶贫

全村建档立卡家庭在校学生{{ sum(values=[s.preschool, s.compulsory, s.high_school, s.university]) | fig(unit="人") }}，其中学前教育{{ s.preschool | fig(unit="人") }}、义务教育{{ s.compulsory | fig(unit="人") }}、高中及中职{{ s.high_school | fig(unit="人") }}、高等教育{{ s.university | fig(unit="人") }}。累计发放各类教育资助资金{{ v.education_aid_wan | fig(unit="万元") }}，落实“两免一补”和营养改善计划，实现应助尽助，无一名学生因贫失学辍学；雨露计划补助{{ v.yulu_person_times | fig(unit="人次") }}，劝返复学{{ v.dropouts_returned | fig(unit="人") }}。

## 健康扶贫

贫困人口基本医疗保险和大病保险参保率达到100%，家庭医生签约服务{{ v.family_doctor_people | fig(unit="人") }}，住院治疗{{ v.hospitalisations | fig(unit="人次") }}，住院费用报销比例达到{{ v.reimbursement_percent | fig(dp=2, unit="%") }}。村卫生室实行医生坐诊与巡诊相结合，高血压、糖尿病等慢性病患者{{ v.chronic_people | fig(unit="人") }}全部纳入规范化管理。

## 产业与住房饮水

村集体经济收入达到{{ v.collective_income_wan | fig(unit="万元") }}，发展特色种植{{ v.crops_mu | fig(unit="亩") }}、养殖{{ v.livestock | fig(unit="头（只）") }}，带动贫困户{{ v.industry_households | fig(unit="户") }}，户均增收{{ v.income_increase_yuan | fig(unit="元") }}。完成危房改造{{ v.houses_renovated | fig(unit="户") }}，新建及修复供水管道{{ v.pipes_m | fig(unit="米") }}，全村安全饮水覆盖率100%。下一步，将继续巩固拓展脱贫攻坚成果，做好与乡村振兴的有效衔接，确保脱贫不返贫。

## 历年脱贫情况

| 年度 | 脱贫户数 | 脱贫人数 | 投入资金（万元） |
|---:|---:|---:|---:|
{% for e in v.exits -%}
| {{ e.year }} | {{ e.households }} | {{ e.people }} | {{ e.funds_wan }} |
{% endfor %}
{{ chart(kind="grouped", title="历年脱贫户数与人数", data=v.exits, label="year", values="households, people", names="脱贫户数, 脱贫人数", units="户, 人") }}

## 主要帮扶措施

- 结对帮扶干部{{ v.cadres | fig(unit="名") }}，帮扶{{ v.registered.households | fig(unit="户") }}，每月入户走访不少于{{ v.visits_per_month | fig(unit="次") }}；
- 落实低保{{ v.dibao_households | fig(unit="户") }}、特困供养{{ v.special_support_people | fig(unit="人") }}；
- 开发公益性岗位{{ v.public_jobs | fig(unit="个") }}，组织劳务输出{{ v.migrant_workers | fig(unit="人") }}；
- 发放小额信贷{{ v.microcredit_wan | fig(unit="万元") }}，贴息{{ v.interest_subsidy_wan | fig(unit="万元") }}；
- 举办实用技术培训{{ v.trainings | fig(unit="期") }}，培训{{ v.trainees | fig(unit="人次") }}；
- 开展“扶志扶智”宣讲{{ v.talks | fig(unit="场") }}，评选脱贫光荣户{{ v.model_households | fig(unit="户") }}。
"""

OVERVIEW = """+++
title = "村委会概况"
weight = 10
+++
| 村 | 总户数 | 总人口 | 建档立卡户数 | 建档立卡人数 |
|---|---:|---:|---:|---:|
{% for v in villages_list -%}
| [{{ v.name }}]({{ v.id }}.md) | {{ v.households | fig(unit="户") }} | {{ v.people | fig(unit="人") }} | {{ v.registered.households | fig(unit="户") }} | {{ v.registered.people | fig(unit="人") }} |
{% endfor %}| **合计** | {{ villages_list | sum(attribute="households") | fig(unit="户") }} | {{ villages_list | sum(attribute="people") | fig(unit="人") }} | {{ villages_list | sum(attribute="registered.households") | fig(unit="户") }} | {{ villages_list | sum(attribute="registered.people") | fig(unit="人") }} |
"""

INDEX = """+++
title = "扶贫工作汇报（基准站点）"
+++
本站有{{ township.village_committees | fig(unit="个") }}村委会，见[村委会概况](villages/index.md)。
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("target")
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument(
        "--anchors",
        default=os.path.join(here, "..", "..", "shared", "bench"),
        help="the folder of gen_anchor_sites.py",
    )
    args = parser.parse_args()
    anchors = load_anchors(os.path.join(args.anchors, "gen_anchor_sites.py"))
    target = args.target
    if os.path.exists(target):
        if not os.path.exists(os.path.join(target, MARKER)):
            sys.exit(f"error: {target} exists and was not made by this script")
        shutil.rmtree(target)
    os.makedirs(target)
    write(os.path.join(target, MARKER), "")
    width = max(4, len(str(args.n - 1)))
    write(
        os.path.join(target, "huibao.toml"),
        'title = "扶贫工作汇报（基准站点）"\nlanguage = "zh-CN"\n',
    )
    write(os.path.join(target, "data", "schema.yaml"), SCHEMA)
    write(
        os.path.join(target, "data", "township.yaml"),
        f"name: 基准乡\nvillage_committees: {args.n}\n",
    )
    for i in range(args.n):
        slug = anchors.page_slug(i, width)
        name = anchors.village_name(i, width)
        write(os.path.join(target, "data", "villages", f"{slug}.yaml"), village_yaml(anchors, i, name))
    write(os.path.join(target, "content", "index.md"), INDEX)
    write(os.path.join(target, "content", "villages", "index.md"), OVERVIEW)
    write(os.path.join(target, "content", "villages", "_village.md"), VILLAGE_PAGE)


if __name__ == "__main__":
    main()
