"""The installable app on a phone: its manifest, the service worker (served from the site root so that it may look
after every page) and the page it shows for one it does not keep."""
