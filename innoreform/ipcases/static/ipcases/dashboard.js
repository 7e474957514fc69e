// Disputes by stage and filings by service point (data from json_script; no inline script: strict CSP).
(function () {
  function draw() {
    var el = document.getElementById("ipcases-chart");
    var data = document.getElementById("ipcases-chart-data");
    if (!el || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "item" },
      legend: { top: 0 },
      grid: [{ left: 40, right: "55%", top: 40, bottom: 60 }, { left: "55%", right: 20, top: 40, bottom: 60 }],
      xAxis: [{ type: "category", data: d.stages, gridIndex: 0, axisLabel: { rotate: 30 } },
              { type: "category", data: d.sites, gridIndex: 1, axisLabel: { rotate: 30 } }],
      yAxis: [{ type: "value", gridIndex: 0, minInterval: 1 }, { type: "value", gridIndex: 1, minInterval: 1 }],
      series: [{ name: d.names.stage, type: "bar", data: d.counts, xAxisIndex: 0, yAxisIndex: 0 },
               { name: d.names.site, type: "bar", data: d.site_counts, xAxisIndex: 1, yAxisIndex: 1 }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
