// Renders the pool report charts from the JSON island #pools-chart (no inline script: strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  var island = document.getElementById("pools-chart");
  if (!island || !window.echarts) { return; }
  var data = JSON.parse(island.textContent);
  var labels = data.labels || {};
  function el(id) { return document.getElementById(id); }
  function bar(id, rows, title) {
    if (!el(id) || !rows) { return; }
    echarts.init(el(id)).setOption({
      title: { text: title || "", textStyle: { fontSize: 14 } }, tooltip: {}, grid: { left: 120, right: 20 },
      xAxis: { type: "value" }, yAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
      series: [{ type: "bar", data: rows.map(function (r) { return r.value; }) }]
    });
  }
  function pie(id, rows, title) {
    if (!el(id) || !rows) { return; }
    echarts.init(el(id)).setOption({
      title: { text: title || "", textStyle: { fontSize: 14 } }, tooltip: {},
      series: [{ type: "pie", radius: ["35%", "65%"], data: rows }]
    });
  }
  function leverage(id, rows, title) {
    if (!el(id) || !rows) { return; }
    echarts.init(el(id)).setOption({
      title: { text: title || "", textStyle: { fontSize: 14 } }, tooltip: {}, legend: { bottom: 0 },
      grid: { left: 120, right: 20 }, xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
      series: [{ type: "bar", name: "actual", data: rows.map(function (r) { return r.actual; }) },
               { type: "bar", name: "target", data: rows.map(function (r) { return r.target; }) }]
    });
  }
  bar("chart-pools", data.pools, labels.pools);
  leverage("chart-leverage", data.leverage, labels.leverage);
  bar("chart-cities", data.cities, labels.cities);
  pie("chart-institutions", data.institutions, labels.institutions);
});
