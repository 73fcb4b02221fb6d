/* Ideas: a Leaflet map on the idea form (a click fills in the latitude and longitude
 * fields, which also work typed by hand without JavaScript) and on the idea's page
 * (its point). */
(function () {
  "use strict";

  var element = document.getElementById("idea-map");
  if (!element || typeof L === "undefined") {
    return;
  }
  var PARIS = [48.8566, 2.3522];
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");

  element.hidden = false;
  var map = L.map(element);
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: "&copy; OpenStreetMap",
  }).addTo(map);

  if (element.dataset.latitude) {
    var point = [parseFloat(element.dataset.latitude), parseFloat(element.dataset.longitude)];
    L.marker(point, { keyboard: false }).addTo(map);
    map.setView(point, 16);
    return;
  }

  var marker = null;
  function place(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, { keyboard: false }).addTo(map);
    }
  }
  var typed = latitude && longitude && latitude.value && longitude.value;
  if (typed) {
    var start = [parseFloat(latitude.value), parseFloat(longitude.value)];
    place(start);
    map.setView(start, 16);
  } else {
    map.setView(PARIS, 12);
  }
  map.on("click", function (event) {
    place(event.latlng);
    latitude.value = event.latlng.lat.toFixed(6);
    longitude.value = event.latlng.lng.toFixed(6);
  });
})();
