/* Address fields: a Leaflet map that fills in the latitude and longitude inputs when
 * clicked. Without JavaScript the inputs are typed; the server checks the point either way. */
(function () {
  "use strict";

  if (typeof L === "undefined") {
    return;
  }
  var CITY_CENTRE = [48.8566, 2.3522];

  document.querySelectorAll("[data-address-map]").forEach(function (field) {
    var element = field.querySelector("[data-map]");
    var inputs = field.querySelectorAll("input[type=number]");
    if (!element || inputs.length !== 2) {
      return;
    }
    var latitude = inputs[0];
    var longitude = inputs[1];
    element.hidden = false;
    var map = L.map(element);
    L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap",
    }).addTo(map);
    var marker = null;

    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, { keyboard: true }).addTo(map);
      }
    }

    if (latitude.value && longitude.value) {
      var start = [parseFloat(latitude.value), parseFloat(longitude.value)];
      map.setView(start, 16);
      place(start);
    } else {
      map.setView(CITY_CENTRE, 12);
    }
    map.on("click", function (event) {
      latitude.value = event.latlng.lat.toFixed(6);
      longitude.value = event.latlng.lng.toFixed(6);
      place(event.latlng);
    });
    [latitude, longitude].forEach(function (input) {
      input.addEventListener("change", function () {
        if (latitude.value && longitude.value) {
          place([parseFloat(latitude.value), parseFloat(longitude.value)]);
        }
      });
    });
  });
})();
