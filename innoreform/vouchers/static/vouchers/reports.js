// Bar chart of the voucher report (data from the json_script element; no inline script: strict CSP).
(function () {
  function draw() {
    var el = document.getElementById("voucher-chart");
    var data = document.getElementById("voucher-chart-data");
    if (!el || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: {},
      grid: { left: 60, right: 20, bottom: 60 },
      xAxis: { type: "category", data: d.labels, axisLabel: { rotate: 20 } },
      yAxis: { type: "value" },
      series: [
        { name: d.names.used, type: "bar", data: d.used },
        { name: d.names.province, type: "bar", stack: "paid", data: d.province },
        { name: d.names.city, type: "bar", stack: "paid", data: d.city }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
