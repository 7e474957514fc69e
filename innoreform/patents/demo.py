"""Demo data for patent navigation (called by `innoreform demo`): a SYNTHETIC, seeded CNIPA-style
export of drone (UAV) patents from fictional applicants across Guangdong's cities and elsewhere,
imported by the province's science department through the ordinary import service, so the
landscape, report and topic pages have data on a fresh demo. Every applicant's name ends with
（演示） and the data set's name says it is synthetic. Idempotent: loaded once."""

import csv
import io
import random

from innoreform.core.demo import demo_actor

from . import services
from .models import Dataset

DATASET_NAME = "无人机产业合成专利数据（演示） Synthetic drone patents (demo)"
SEED = 2026
PATENTS = 600

HEADER = ["申请号", "申请日", "公开号", "公开日", "授权公告日", "申请人", "发明人", "专利名称", "分类号", "主分类号",
          "国省代码", "申请人地址", "法律状态", "专利类型", "被引证次数"]

# (city, postcode, address) of Guangdong applicants; others come from Beijing, Shanghai and Jiangsu.
GD_PLACES = [("深圳市南山区", "518000"), ("广州市黄埔区", "510000"), ("东莞市松山湖", "523000"),
             ("珠海市香洲区", "519000"), ("佛山市南海区", "528200"), ("惠州市仲恺区", "516000"),
             ("中山市火炬区", "528400"), ("江门市蓬江区", "529000"), ("肇庆市端州区", "526000"),
             ("汕头市龙湖区", "515000"), ("湛江市赤坎区", "524000"), ("韶关市武江区", "512000")]
OTHER_PLACES = [("北京(11)", "100000北京市海淀区"), ("上海(31)", "200000上海市浦东新区"),
                ("江苏(32)", "210000江苏省南京市")]

APPLICANTS = ["翼飞智能科技有限公司", "云鹰航空科技有限公司", "天巡无人机有限公司", "青羽智控科技有限公司",
              "极航动力科技有限公司", "星链航电有限公司", "擎天植保科技有限公司", "鹰眼影像科技有限公司"]
UNIVERSITIES = ["南粤理工大学", "岭南航空研究院"]

# (main IPC, title) per segment of the starter "uav" industry (engine/industries.py).
TOPICS = [("B64U10/13", "一种多旋翼无人机"), ("B64U20/80", "无人机机架结构"), ("G05D1/10", "无人机航线规划方法"),
          ("G01C21/20", "无人机组合导航装置"), ("H04B7/185", "无人机数据链中继系统"),
          ("H01M10/44", "无人机电池管理方法"),
          ("B64C27/08", "无人机旋翼折叠机构"), ("B64D47/08", "无人机航拍云台"), ("G06V20/17", "无人机图像目标识别方法"),
          ("A01M7/00", "植保无人机喷洒装置"), ("B64D1/22", "无人机物流投放装置"), ("G01S13/88", "反无人机雷达探测方法")]


def rows() -> list[list[str]]:
    rng = random.Random(SEED)
    out = []
    for n in range(1, PATENTS + 1):
        year = rng.choice([2018, 2019, 2020, 2021, 2022, 2022, 2023, 2023, 2024, 2024])
        ipc, title = rng.choice(TOPICS)
        kind = rng.choice(["发明公开", "发明授权", "实用新型", "实用新型"])
        code = {"发明公开": "A", "发明授权": "B", "实用新型": "U"}[kind]
        number = f"CN{year}{'2' if code == 'U' else '1'}{n:07d}.{n % 10}"
        if rng.random() < 0.8:
            place, post = rng.choice(GD_PLACES)
            city = place[:3]
            province, address = "广东(44)", f"{post}广东省{place}"
        else:
            province, address = rng.choice(OTHER_PLACES)
            city = address[6:9]
        applicant = rng.choice(APPLICANTS) if rng.random() < 0.85 else rng.choice(UNIVERSITIES)
        in_city = not applicant.endswith(("大学", "研究院"))
        applicant = f"{city}{applicant}（演示）" if in_city else f"{applicant}（演示）"
        granted = f"{year + 1}-0{rng.randint(1, 9)}-15" if code in ("B", "U") else ""
        status = "有权" if granted else rng.choice(["审中", "审中", "无权-视为撤回"])
        out.append([number, f"{year}-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}", f"CN{110000000 + n}{code}",
                    f"{year}-1{rng.randint(0, 2)}-01", granted, applicant, f"演示发明人{rng.randint(1, 60)}",
                    f"{title}（演示）", ipc, ipc, province, address, status, kind, str(rng.randint(0, 12))])
    return out


def csv_bytes() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows())
    return buffer.getvalue().encode("utf-8")


def load(*, operator) -> None:
    analyst = demo_actor("dept-science")
    if analyst is None or Dataset.objects.filter(name=DATASET_NAME).exists():
        return
    dataset = services.dataset_import_start(actor=analyst, name=DATASET_NAME,
                                            files=[("synthetic-uav-demo.csv", csv_bytes())])
    # Imported here rather than left to the worker, so the landscape is there on the first page view.
    services.dataset_import_run(dataset_id=dataset.pk)
