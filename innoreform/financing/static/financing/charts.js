// Renders the financing charts from the JSON island #financing-chart (no inline script: strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  var island = document.getElementById("financing-chart");
  if (!island || !window.echarts) { return; }
  var data = JSON.parse(island.textContent);
  var labels = data.labels || {};
  function bar(id, rows, title) {
    var el = document.getElementById(id);
    if (!el || !rows) { return; }
    echarts.init(el).setOption({
      title: { text: title || "", textStyle: { fontSize: 14 } }, tooltip: {}, grid: { left: 10, right: 30, containLabel: true },
      xAxis: { type: "value" }, yAxis: { type: "category", data: rows.map(function (r) { return r.name; }) },
      series: [{ type: "bar", data: rows.map(function (r) { return r.value; }) }]
    });
  }
  function pie(id, rows, title) {
    var el = document.getElementById(id);
    if (!el || !rows) { return; }
    echarts.init(el).setOption({
      title: { text: title || "", textStyle: { fontSize: 14 } }, tooltip: {},
      series: [{ type: "pie", radius: ["35%", "65%"], data: rows }]
    });
  }
  bar("chart-cities", data.cities, labels.cities);
  pie("chart-kinds", data.kinds, labels.kinds);
  bar("chart-institutions", data.institutions, labels.institutions);
  pie("chart-categories", data.categories, labels.categories);
});
