// The home page's small bar chart (data from the json_script element; no inline script: strict CSP).
(function () {
  function draw() {
    var el = document.getElementById("home-chart");
    var data = document.getElementById("home-chart-data");
    if (!el || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + (d.unit ? " " + d.unit : ""); } },
      grid: { left: 48, right: 12, top: 16, bottom: 28, containLabel: true },
      xAxis: { type: "category", data: d.labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: d.title, type: "bar", data: d.values, itemStyle: { color: "#1a63ad" }, barMaxWidth: 36 }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
