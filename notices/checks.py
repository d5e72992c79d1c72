"""System checks: a PDF without a CJK font has empty boxes; without HarfBuzz's subsetter
WeasyPrint embeds whole fonts and takes seconds a page."""

import ctypes.util
import subprocess

from django.core.checks import Warning, register


def cjk_fonts() -> list[str]:
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(
        {line.split(",")[0].strip() for line in listed.stdout.splitlines() if line.strip()}
    )


@register()
def check_pdf_fonts(app_configs, **kwargs):
    problems = []
    if not cjk_fonts():
        problems.append(
            Warning(
                "没有找到中文字体，文书 PDF 中的汉字将无法显示。",
                hint="安装 fonts-noto-cjk（Debian: apt-get install fonts-noto-cjk），或安装授权的仿宋_GB2312 / 方正小标宋。",
                id="notices.W001",
            )
        )
    if not ctypes.util.find_library("harfbuzz-subset"):
        problems.append(
            Warning(
                "没有找到 HarfBuzz 字体子集库，生成 PDF 会很慢（每页约 12 秒）且文件很大。",
                hint="安装 libharfbuzz-subset0（Debian: apt-get install libharfbuzz-subset0）。",
                id="notices.W002",
            )
        )
    return problems
