#!/usr/bin/env python3
"""Generate a huibao site with N villages, for timing builds (standard library only).

Usage: python3 bench/make_site.py N DIR

Each village is a YAML file with ~12 figures; the site has the overview table of all N
villages (one page), one generated page per village (~1.5 KB of Chinese prose with figures,
a table and a list, like the Hugo/Zola anchor sites of ../shared/bench), and a home page
with totals over all villages. Deterministic: same N, same bytes.
"""
import os
import sys


def num(i, k, lo, hi):
    x = (i * 2654435761 + k * 40503 + 12345) & 0xFFFFFFFF
    x ^= x >> 13
    x = (x * 1103515245 + 12345) & 0xFFFFFFFF
    x ^= x >> 16
    return lo + x % (hi - lo + 1)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    n, root = int(sys.argv[1]), sys.argv[2]
    write(os.path.join(root, "huibao.toml"), 'title = "扶贫工作汇报（基准站点）"\n')
    write(os.path.join(root, "data/township.yaml"), "name: 基准乡\npopulation: 5700000\n")
    width = max(4, len(str(n - 1)))
    for i in range(n):
        households = num(i, 1, 20, 400)
        people = households * 3 + num(i, 2, 0, 99)
        write(
            os.path.join(root, f"data/villages/v{i:0{width}d}.yaml"),
            f"name: 第{i:0{width}d}村\n"
            f"registered:\n  households: {households}\n  people: {people}\n"
            f"remaining:\n  households: {num(i, 3, 0, 9)}\n  people: {num(i, 4, 0, 30)}\n"
            f"education:\n  students: {num(i, 5, 10, 200)}\n  aid_wan: {num(i, 6, 1, 900)}.{num(i, 7, 0, 99):02d}\n"
            f"health:\n  hospitalisations: {num(i, 8, 5, 300)}\n  cost_wan: {num(i, 9, 10, 999)}.{num(i, 10, 0, 99):02d}\n"
            f"  reimbursed_wan: {num(i, 11, 5, 9)}.{num(i, 12, 0, 99):02d}\n"
            f"industry:\n  projects: {num(i, 13, 0, 9)}\n  funds_wan: {num(i, 14, 1, 99)}.{num(i, 15, 0, 9)}\n",
        )
    write(
        os.path.join(root, "content/index.md"),
        '+++\ntitle = "基准乡"\nnumber_headings = true\n+++\n## 基本情况\n\n'
        '全乡{{ villages_list | length }}个村，建档立卡贫困户{{ villages_list | sum(attribute="registered.households") | fig(unit="户") }}、'
        '贫困人口{{ villages_list | sum(attribute="registered.people") | fig(unit="人") }}。见[各村](villages/index.md)。\n',
    )
    write(
        os.path.join(root, "content/villages/index.md"),
        '+++\ntitle = "各村"\nweight = 10\n+++\n| 村 | 户数 | 人数 |\n|---|---:|---:|\n'
        '{% for v in villages_list -%}\n| [{{ v.name }}]({{ v.id }}.md) | {{ v.registered.households | fig(unit="户") }} | {{ v.registered.people | fig(unit="人") }} |\n{% endfor %}',
    )
    write(
        os.path.join(root, "content/villages/_village.md"),
        '+++\ntitle = "各村"\ngenerate = "villages"\nas = "v"\nnumber_headings = true\n+++\n'
        "## 基本情况\n\n"
        '{{ v.name }}坚持以脱贫攻坚统揽经济社会发展全局，建档立卡贫困户{{ v.registered.households | fig(unit="户") }}、'
        '贫困人口{{ v.registered.people | fig(unit="人") }}，已脱贫{{ sub(a=v.registered.people, b=v.remaining.people) | fig(unit="人") }}，'
        '未脱贫{{ v.remaining.people | fig(unit="人") }}，占比{{ rate(num=v.remaining.people, den=v.registered.people, dp=2) | fig(unit="%") }}。'
        "全村紧盯如期脱贫目标，统筹推进疫情防控和脱贫攻坚工作，落实“四个不摘”要求，持续巩固脱贫成果。\n\n"
        "## 政策落实\n\n### 教育扶贫\n\n"
        '在校建档立卡学生{{ v.education.students | fig(unit="人") }}，发放资助{{ v.education.aid_wan | fig(unit="万元") }}，'
        "确保不让一个家庭因学致贫、不让一个孩子因贫辍学。\n\n### 健康扶贫\n\n"
        '| 项目 | 数值 |\n|---|---:|\n| 住院 | {{ v.health.hospitalisations | fig(unit="人次") }} |\n'
        '| 总费用 | {{ v.health.cost_wan | fig(unit="万元") }} |\n| 报销 | {{ v.health.reimbursed_wan | fig(unit="万元") }} |\n'
        '| 产业项目 | {{ v.industry.projects | fig(unit="个") }} |\n| 产业资金 | {{ v.industry.funds_wan | fig(unit="万元") }} |\n'
        '| 户数 | {{ v.registered.households | fig(unit="户") }} |\n| 人数 | {{ v.registered.people | fig(unit="人") }} |\n'
        '| 未脱贫 | {{ v.remaining.households | fig(unit="户") }} |\n\n'
        "### 工作措施\n\n- 落实结对帮扶责任\n- 开展饮水安全评价\n- 推进农村危房改造\n- 发放低保与特困供养资金\n"
        "- 培育扶贫龙头企业\n- 组织劝返复学\n\n[返回各村](index.md)\n",
    )


if __name__ == "__main__":
    main()
