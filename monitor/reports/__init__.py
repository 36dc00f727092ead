"""Case reports rendered with Qt (QTextDocument, QPdfWriter, QTextDocumentWriter): PDF and ODT.

Outside the core, which never imports Qt: the CLI imports this lazily, headless (an offscreen
QGuiApplication), and the window on its task runner. The HTML all formats share is the core's
(monitor/core/evidence/report.py).
"""
