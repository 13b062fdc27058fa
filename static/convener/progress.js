// Follows a background import on its page: asks for its progress every two seconds and
// shows it; reloads the page for the report when the import is over. Without JavaScript the
// page says how to follow it by reloading.
(function () {
  var box = document.getElementById("job-progress");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  function ask() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.state === "done" || data.state === "failed") {
          window.location.reload();
          return;
        }
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        text.textContent = data.label + ": " + data.percent + "%" + (data.note ? ", " + data.note : "") + ".";
        window.setTimeout(ask, 2000);
      })
      .catch(function () { window.setTimeout(ask, 5000); });
  }
  window.setTimeout(ask, 2000);
})();
