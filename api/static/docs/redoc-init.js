// Starts ReDoc on /redoc from the product's own copy (no CDN, no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("redoc");
  Redoc.init(root.getAttribute("data-openapi"), { hideDownloadButton: false }, root);
});
