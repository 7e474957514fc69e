/* Charts of the patent landscape page and report (ECharts). Data comes from #landscape-data. */
(function () {
  "use strict";
  var el = document.getElementById("landscape-data");
  if (!el || typeof echarts === "undefined") { return; }
  var d = JSON.parse(el.textContent);
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var c = echarts.init(node);
    if (document.body.dataset.static) { option.animation = false; }  /* the report is printed */
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  var years = d.trend.map(function (r) { return r.year + (r.incomplete ? "*" : ""); });
  chart("chart-trend", {
    tooltip: {trigger: "axis"}, legend: {},
    xAxis: {type: "category", data: years}, yAxis: {type: "value"},
    series: [
      {name: zh ? "全球" : "World", type: "bar", data: d.trend.map(function (r) { return r.world; })},
      {name: zh ? "中国" : "China", type: "line", data: d.trend.map(function (r) { return r.china; })},
      {name: zh ? "广东" : "Guangdong", type: "line", data: d.trend.map(function (r) { return r.guangdong; })}
    ]
  });
  var apps = d.top_applicants.slice().reverse();
  chart("chart-applicants", {
    tooltip: {}, grid: {left: 10, right: 20, containLabel: true},
    xAxis: {type: "value"}, yAxis: {type: "category", data: apps.map(function (a) { return a.name; })},
    series: [{type: "bar", data: apps.map(function (a) { return a.n; })}]
  });
  var cityCodes = Object.keys(d.cities).sort();
  var fieldIds = Array.from(new Set(d.heatmap.map(function (r) { return r.field_id; }))).sort(function (a, b) { return a - b; });
  var max = 1;
  var cells = d.heatmap.map(function (r) { max = Math.max(max, r.n); return [fieldIds.indexOf(r.field_id), cityCodes.indexOf(r.city), r.n]; });
  chart("chart-heatmap", {
    tooltip: {}, grid: {left: 10, bottom: 80, containLabel: true},
    xAxis: {type: "category", data: fieldIds.map(function (f) { return d.fields[f][zh ? "zh" : "en"]; }), axisLabel: {rotate: 60}},
    yAxis: {type: "category", data: cityCodes.map(function (c) { return d.cities[c]; })},
    visualMap: {min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0},
    series: [{type: "heatmap", data: cells}]
  });
  chart("chart-bubbles", {
    tooltip: {formatter: function (p) { return p.data[3] + ": " + p.data[2]; }},
    xAxis: {name: zh ? "增长率" : "growth", type: "value"}, yAxis: {name: zh ? "广东占比" : "Guangdong share", type: "value"},
    series: [{type: "scatter", symbolSize: function (v) { return 8 + Math.sqrt(v[2]) * 3; },
      data: d.bubbles.map(function (b) { return [b.growth, b.gd_share, b.n, b.code]; })}]
  });
  chart("chart-network", {
    tooltip: {},
    series: [{type: "graph", layout: "force", roam: true, force: {repulsion: 120},
      data: d.network.nodes.map(function (n) { return {name: n.name, value: n.value, symbolSize: 6 + Math.sqrt(n.value) * 4}; }),
      links: d.network.links.map(function (l) { return {source: l.source, target: l.target, value: l.weight}; })}]
  });
}());
