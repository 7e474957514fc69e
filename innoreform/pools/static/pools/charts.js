// Renders the pool report charts from the JSON island #pools-chart (no inline script: strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  var island = document.getElementById("pools-chart");
  if (!island || !window.echarts) { return; }
  var data = JSON.parse(island.textContent);
  var labels = data.labels || {};
  function el(id) { return document.getElementById(id); }
  // On a phone the names get a narrower column and wrap instead of being cut off, the value axis
  // fewer ticks so its labels do not overlap; containLabel keeps both inside the chart.
  function narrow(node) { return node.clientWidth < 520; }
  function categories(node, rows) {
    return { type: "category", data: rows.map(function (r) { return r.name; }),
             axisLabel: { width: narrow(node) ? 96 : 220, overflow: "break", lineHeight: 14 } };
  }
  function values(node) { return { type: "value", splitNumber: narrow(node) ? 3 : 5, axisLabel: { hideOverlap: true } }; }
  var charts = [];
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  function init(node) { var c = echarts.init(node); charts.push(c); return c; }
  function bar(id, rows, title) {
    if (!el(id) || !rows) { return; }
    var node = el(id);
    init(node).setOption({
      title: { text: title || "", textStyle: { fontSize: 14 } }, tooltip: {},
      grid: { left: 8, right: narrow(node) ? 36 : 20, top: 40, containLabel: true },
      xAxis: values(node), yAxis: categories(node, rows),
      series: [{ type: "bar", data: rows.map(function (r) { return r.value; }) }]
    });
  }
  function pie(id, rows, title) {
    if (!el(id) || !rows) { return; }
    var node = el(id);
    init(node).setOption({
      title: { text: title || "", textStyle: { fontSize: 14 } }, tooltip: {},
      series: [{ type: "pie", radius: narrow(node) ? ["25%", "50%"] : ["35%", "65%"], data: rows,
                 label: { width: narrow(node) ? 90 : 160, overflow: "break" } }]
    });
  }
  function leverage(id, rows, title) {
    if (!el(id) || !rows) { return; }
    var node = el(id);
    init(node).setOption({
      title: { text: title || "", textStyle: { fontSize: 14 } }, tooltip: {}, legend: { bottom: 0 },
      grid: { left: 8, right: narrow(node) ? 36 : 20, top: 40, bottom: 36, containLabel: true }, xAxis: values(node),
      yAxis: categories(node, rows),
      series: [{ type: "bar", name: labels.actual || "", data: rows.map(function (r) { return r.actual; }) },
               { type: "bar", name: labels.target || "", data: rows.map(function (r) { return r.target; }) }]
    });
  }
  bar("chart-pools", data.pools, labels.pools);
  leverage("chart-leverage", data.leverage, labels.leverage);
  bar("chart-cities", data.cities, labels.cities);
  pie("chart-institutions", data.institutions, labels.institutions);
});
