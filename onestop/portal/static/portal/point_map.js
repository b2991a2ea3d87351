// The map of a report form's location question (progressive enhancement).  Without this script,
// or when Leaflet cannot start, residents type the latitude and longitude or leave them empty.
// With it, a map is shown above the inputs: clicking it, or dragging the pin, fills them in; the
// map is one stop in the tab order (arrow keys move it, + and - zoom), and "Use the centre of
// the map" puts the pin where the map is centred, so it works with the keyboard alone.  Tiles
// come from the operator's ONESTOP_MAP_TILES; if they cannot load the pin and inputs still work.
// Until a point is chosen, the map shows the district of the postcode typed (its outward code,
// like HP19, whose centre the page carries: no postcode leaves the page).
(function () {
  'use strict'
  var UK_CENTRE = [54.3, -2.3]
  var PLACES = 6
  var DISTRICT_ZOOM = 14

  function escapeHtml (text) {
    return String(text).replace(/[&<>"']/g, function (character) {
      return '&#' + character.charCodeAt(0) + ';'
    })
  }

  function parsed (value) {
    var text = String(value || '').trim()
    if (!/^[+-]?\d{1,3}(\.\d{1,15})?$/.test(text)) { return null }
    return parseFloat(text)
  }

  // The outward code of a whole postcode ("hp19 8ff" -> "HP19"), or null.
  function outwardCode (text) {
    var compact = String(text || '').replace(/\s+/g, '').toUpperCase()
    if (!/^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$/.test(compact)) { return null }
    return compact.slice(0, -3)
  }

  function districtCentres (container) {
    var element = container.querySelector('#postcode-centres')
    if (element === null) { return {} }
    try {
      var centres = JSON.parse(element.textContent)
      return centres !== null && typeof centres === 'object' ? centres : {}
    } catch (error) {
      return {}
    }
  }

  function start (container) {
    if (typeof window.L === 'undefined') { return }
    var L = window.L
    var form = container.closest('form')
    var latitude = form.querySelector('[data-point-latitude]')
    var longitude = form.querySelector('[data-point-longitude]')
    var status = container.querySelector('[data-point-status]')
    var element = container.querySelector('.onestop-point-map__map')
    container.hidden = false
    var map = L.map(element, { keyboard: true, zoomControl: false })
    L.control.zoom({
      zoomInTitle: container.dataset.zoomIn, zoomOutTitle: container.dataset.zoomOut
    }).addTo(map)
    map.attributionControl.setPrefix(false)
    L.tileLayer(container.dataset.tiles, {
      maxZoom: 19, attribution: escapeHtml(container.dataset.attribution || '')
    }).addTo(map)
    element.setAttribute('aria-label', container.dataset.label)
    element.setAttribute('role', 'region')
    var marker = null

    function fill (point) {
      latitude.value = point.lat.toFixed(PLACES)
      longitude.value = point.lng.toFixed(PLACES)
      status.textContent = latitude.value + ', ' + longitude.value
    }

    function place (point) {
      if (marker === null) {
        marker = L.marker(point, { draggable: true, keyboard: false, alt: container.dataset.pin, title: container.dataset.pin })
        marker.on('dragend', function () { fill(marker.getLatLng()) })
        marker.addTo(map)
      } else {
        marker.setLatLng(point)
      }
    }

    // The organisation's boundary (south,west,north,east), if it keeps one: the map starts
    // over the area it looks after rather than the whole UK.
    var postcode = container.dataset.postcode ? document.getElementById(container.dataset.postcode) : null
    var centres = districtCentres(container)

    // The centre of the district of the postcode typed, if the page knows it.
    function district () {
      var code = postcode === null ? null : outwardCode(postcode.value)
      if (code === null || !Object.prototype.hasOwnProperty.call(centres, code)) { return null }
      var centre = centres[code]
      var lat = parsed(centre && centre[0])
      var lng = parsed(centre && centre[1])
      return lat === null || lng === null ? null : { code: code, point: [lat, lng] }
    }

    var edges = String(container.dataset.boundary || '').split(',').map(parsed)
    var boundary = edges.length === 4 && edges.every(function (edge) { return edge !== null })
      ? [[edges[0], edges[1]], [edges[2], edges[3]]]
      : null
    var lat = parsed(latitude.value)
    var lng = parsed(longitude.value)
    var found = district()
    if (lat !== null && lng !== null) {
      map.setView([lat, lng], 16)
      place([lat, lng])
    } else if (found !== null) {
      map.setView(found.point, DISTRICT_ZOOM)
    } else if (boundary !== null) {
      map.fitBounds(boundary)
    } else {
      map.setView(UK_CENTRE, 5)
    }
    map.on('click', function (event) {
      place(event.latlng)
      fill(event.latlng)
    })
    container.querySelector('[data-point-centre]').addEventListener('click', function () {
      var centre = map.getCenter()
      place(centre)
      fill(centre)
    })
    function typed () {
      var typedLat = parsed(latitude.value)
      var typedLng = parsed(longitude.value)
      if (typedLat === null || typedLng === null) { return }
      place([typedLat, typedLng])
      map.setView([typedLat, typedLng], Math.max(map.getZoom(), 14))
    }
    if (postcode !== null) {
      postcode.addEventListener('change', function () {
        var moved = district()
        if (marker !== null || moved === null) { return }
        map.setView(moved.point, DISTRICT_ZOOM)
        status.textContent = container.dataset.centred + ' ' + moved.code + '.'
      })
    }
    latitude.addEventListener('change', typed)
    longitude.addEventListener('change', typed)
  }

  document.querySelectorAll('[data-module="onestop-point-map"]').forEach(start)
})()
