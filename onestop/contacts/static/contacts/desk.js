// The advisor desk, keyboard first: the search box has focus on load; arrow keys move through
// the results (Enter follows the focused one); Escape returns to the search box; Alt + a letter
// follows the element marked data-shortcut="Key<letter>" (listed on the page).
(function () {
  'use strict'

  function search () { return document.getElementById('desk-search') }

  function results () {
    return Array.prototype.slice.call(document.querySelectorAll('.onestop-result'))
  }

  document.addEventListener('keydown', function (event) {
    var box = search()
    var items = results()
    var index = items.indexOf(document.activeElement)
    if (event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      var target = document.querySelector('[data-shortcut="' + event.code + '"]')
      if (target) {
        event.preventDefault()
        if (target.tagName === 'INPUT') { target.focus(); target.select() } else { target.click() }
      }
      return
    }
    if (event.key === 'ArrowDown' && items.length && (document.activeElement === box || index >= 0)) {
      event.preventDefault()
      items[Math.min(index + 1, items.length - 1)].focus()
    } else if (event.key === 'ArrowUp' && index >= 0) {
      event.preventDefault()
      if (index === 0 && box) { box.focus() } else { items[index - 1].focus() }
    } else if (event.key === 'Escape' && box && document.activeElement !== box) {
      box.focus()
      box.select()
    }
  })

  // "New customer" carries what was typed in the search box, so the name is not typed twice.
  document.addEventListener('click', function (event) {
    var link = event.target instanceof Element ? event.target.closest('[data-carry-query]') : null
    var box = search()
    if (link && box && box.value.trim()) {
      var url = new URL(link.href, window.location.href)
      url.searchParams.set(link.getAttribute('data-carry-query'), box.value.trim())
      link.href = url.toString()
    }
  }, true)

  // With a customer chosen, focus goes to their panel (its heading is read out first, and Tab
  // reaches its actions); otherwise to the search box.
  var box = search()
  var chosen = document.getElementById('customer-name')
  if (document.querySelector('.govuk-error-summary')) {
    // the error summary takes focus itself
  } else if (chosen) {
    chosen.focus()
  } else if (box) {
    box.focus()
  }
})()
