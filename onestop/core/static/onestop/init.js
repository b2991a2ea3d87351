// Start GOV.UK Frontend and MOJ Frontend components on every page (MOJ's: the case page's
// button menu, the case-type page's "add another").
import { initAll } from '../govuk/govuk-frontend.min.js'
import { initAll as initMoj } from '../moj/moj-frontend.min.js'
initAll()
initMoj()
