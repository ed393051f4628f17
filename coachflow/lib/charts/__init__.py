"""Server-side SVG charts shared by pages and PDFs: pure functions from values to markup.

Charts carry no inline style (the CSP forbids it): geometry goes in SVG presentation attributes,
colours in classes that ``static/css/app.css`` (and the PDF stylesheet) define.
"""
