// Check-ins tab: cravings, PHQ-9 and GAD-7 by week (data from json_script; the table shows the same).
(function () {
  "use strict";
  var source = document.getElementById("checkins-trend-data");
  var canvas = document.getElementById("checkins-trend-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var rows = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: rows.map(function (r) { return r.week; }),
      datasets: [
        { label: "Cravings (0–10)", data: rows.map(function (r) { return r.cravings; }), borderColor: "#b02a37", spanGaps: true },
        { label: "PHQ-9 total (0–27)", data: rows.map(function (r) { return r.phq9; }), borderColor: "#123c69", borderDash: [6, 4], spanGaps: true },
        { label: "GAD-7 total (0–21)", data: rows.map(function (r) { return r.gad7; }), borderColor: "#2f6b3a", borderDash: [2, 3], spanGaps: true }
      ]
    },
    options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, max: 27 } } }
  });
})();
