// The dashboard's charts, from the figures the page carries in #dashboard-data (json_script).
// Amounts arrive in 万元 as decimal strings; a click on a bar, slice or stage opens the list
// behind it.
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const numbers = (values) => values.map(Number);
  const charts = [];

  function draw(id, option, urls) {
    const element = document.getElementById(id);
    if (!element) return;
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, option));
    if (urls) {
      chart.on("click", (event) => {
        const url = event.data && event.data.url ? event.data.url : urls[event.dataIndex];
        if (url) window.location.href = url;
      });
    }
    charts.push(chart);
  }

  function bars(id, figures) {
    draw(
      id,
      {
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", name: "万元" },
        yAxis: { type: "category", inverse: true, data: figures.names },
        series: [{ type: "bar", data: numbers(figures.values), itemStyle: { color: "#b02a37" }, cursor: "pointer" }],
      },
      figures.urls
    );
  }

  draw("chart-trend", {
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    legend: { data: ["本金", "滞纳金"] },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.trend.months },
    yAxis: { type: "value", name: "万元" },
    series: [
      { name: "本金", type: "bar", stack: "回收", data: numbers(data.trend.principal), itemStyle: { color: "#0d6efd" } },
      { name: "滞纳金", type: "bar", stack: "回收", data: numbers(data.trend.fee), itemStyle: { color: "#6ea8fe" } },
    ],
  });

  draw("chart-rate", {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", valueFormatter: (v) => v + "%" },
    xAxis: { type: "category", data: data.rate.months },
    yAxis: { type: "value", max: 100, name: "%" },
    series: [
      {
        type: "bar",
        data: data.rate.rates.map((rate) => ({
          value: Number(rate),
          itemStyle: { color: Number(rate) < data.rate.line ? "#dc3545" : "#198754" },
        })),
        markLine: { symbol: "none", data: [{ yAxis: data.rate.line, name: "90%" }], lineStyle: { color: "#dc3545", type: "dashed" } },
      },
    ],
  });

  draw(
    "chart-funnel",
    {
      tooltip: { trigger: "item", formatter: "{b}：{c} 件" },
      series: [
        {
          type: "funnel",
          sort: "none",
          minSize: "12%",
          left: 8,
          right: 8,
          top: 8,
          bottom: 8,
          label: { position: "inside", formatter: "{b} {c}" },
          data: data.funnel.map((stage) => ({ name: stage.name, value: stage.value, url: stage.url })),
        },
      ],
    },
    []
  );

  draw("chart-ageing", {
    tooltip: { trigger: "item", formatter: "{b}：{c} 万元（{d}%）" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.ageing.map((a) => ({ name: a.name, value: Number(a.value) })) }],
  });

  bars("chart-regions", data.regions);
  bars("chart-groups", data.groups);
  bars("chart-industries", data.industries);

  document.querySelectorAll("[data-width]").forEach((bar) => {
    bar.style.width = Math.min(100, Number(bar.dataset.width) || 0) + "%";
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
