// Charts of a credit model's validation report (data from the json_script element).
(function () {
  "use strict";
  var el = document.getElementById("credit-chart-data");
  if (!el || typeof echarts === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var dist = data.distribution;
  var node = document.getElementById("credit-dist");
  if (dist && node) {
    var mids = [];
    for (var i = 0; i + 1 < dist.edges.length; i++) { mids.push(Math.round((dist.edges[i] + dist.edges[i + 1]) / 2)); }
    // reports since version 2 name their two series (deployed model on all rows, out-of-fold)
    var names = dist.labels || ["train", "holdout"];
    echarts.init(node).setOption({
      tooltip: {trigger: "axis"}, legend: {data: names},
      xAxis: {type: "category", data: mids}, yAxis: {type: "value"},
      series: [{name: names[0], type: "bar", data: dist.train}, {name: names[1], type: "bar", data: dist.test}]
    });
  }
  (data.charts || []).forEach(function (c, k) {
    var n = document.getElementById("credit-var-" + k);
    if (!n) { return; }
    echarts.init(n).setOption({
      tooltip: {trigger: "axis"}, legend: {data: ["bad rate", "WOE"]},
      xAxis: {type: "category", data: c.labels, axisLabel: {rotate: 30}},
      yAxis: [{type: "value", name: "bad rate"}, {type: "value", name: "WOE"}],
      series: [{name: "bad rate", type: "bar", data: c.bad_rate},
               {name: "WOE", type: "line", yAxisIndex: 1, data: c.woe}]
    });
  });
})();
