"""A tiny hand-made CNIPA-style export whose indicator values are worked out by hand in
test_indicators.py, and the rule set used with it."""

import csv
from pathlib import Path

from innoreform.patents.engine.industries import Rule

HEADER = ["申请号", "申请日", "公开号", "公开日", "授权公告日", "申请人", "发明人", "专利名称", "分类号", "主分类号",
          "国省代码", "申请人地址", "法律状态", "专利类型", "被引证次数"]
SZ = ("广东(44)", "518000广东省深圳市南山区科技园")
ROWS = [
    # P1 (A publication) and P6 (its grant, same application): merged into one granted invention.
    ["CN201910000001.1", "20190110", "CN110000001A", "20190610", "", "深圳市甲科技有限公司;乙大学", "张三;李四",
     "一种无人机", "B64U10/00;G06T7/00", "B64U10/00", *SZ, "有权", "发明公开", "4"],
    ["CN201910000002.X", "2019-03-01", "CN110000002A", "2019-09-01", "", "深圳市甲科技有限公司 ", "张三",
     "无人机航线规划方法", "G05D1/10", "G05D1/10", *SZ, "无权-视为撤回", "发明公开", "0"],
    # P3: navigation code without the keyword: not in the industry.
    ["CN202010000003.3", "2020-02-02", "CN111000003A", "2020-08-02", "", "广州丙有限公司", "王五", "车辆控制方法",
     "G05D1/02", "G05D1/02", "广东(44)", "510000广东省广州市天河区", "审中", "发明公开", "0"],
    # P4: B64C 39/02 is excluded from the "body" rule.
    ["CN202010000004.4", "2020-03-03", "CN111000004A", "2020-09-03", "", "北京丁有限公司", "赵六", "飞行器",
     "B64C39/02", "B64C39/02", "北京(11)", "100000北京市海淀区", "审中", "发明公开", "0"],
    ["CN202120000005.5", "2021-04-04", "CN212000005U", "2021-10-04", "2021-10-04", "北京丁有限公司", "赵六",
     "直升机旋翼", "B64C27/08", "B64C27/08", "北京(11)", "100000北京市海淀区", "有权", "实用新型", "2"],
    ["CN201910000001.1", "20190110", "CN110000001B", "20200501", "20200501", "深圳市甲科技有限公司;乙大学",
     "张三;李四", "一种无人机", "B64U10/00;G06T7/00", "B64U10/00", *SZ, "有权-审定授权", "发明授权", "4"],
    ["CN202110000007.7", "2021-05-05", "CN113000007A", "2023-06-30", "", "ACME CORP", "JOHN SMITH",
     "Drone frame", "B64U20/80", "B64U20/80", "", "", "", "发明公开", "6"],
    # P8: keyword-only rule (飞行汽车), Dongguan.
    ["CN202010000008.8", "2020-06-06", "CN111000008A", "2020-12-06", "", "东莞戊有限公司", "钱七", "飞行汽车",
     "B60K1/00", "B60K1/00", "广东(44)", "523000广东省东莞市松山湖", "审中", "发明公开", "3"],
]

RULES = [
    Rule("x", "测试产业", "Test industry", "frame", "整机", "Frames", "midstream", include=("B64U",)),
    Rule("x", "测试产业", "Test industry", "nav", "飞控", "Navigation", "upstream", include=("G05D1/00",),
         keywords=("无人机",)),
    Rule("x", "测试产业", "Test industry", "kw", "飞行汽车", "Flying cars", "downstream", keywords=("飞行汽车",)),
    Rule("x", "测试产业", "Test industry", "body", "机体", "Bodies", "midstream", include=("B64C",),
         exclude=("B64C39/02",)),
    Rule("y", "其他", "Other", "all", "全部", "All", "midstream", include=("B60K",)),
]


def write_fixture(directory: Path, *, encoding: str = "utf-8") -> Path:
    path = directory / "fixture.csv"
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path
