# lxml (libxml2, libxslt, libexslt).
from lxml import etree

root = etree.fromstring("<a><b n='1'>x</b><b n='2'>y</b></a>")
print([b.get("n") for b in root.iter("b")])
print(root.xpath("string(//b[@n='2'])"))
xslt = etree.XSLT(etree.fromstring(
    "<xsl:stylesheet version='1.0' "
    "xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>"
    "<xsl:template match='/'><out><xsl:value-of select='count(//b)'/></out>"
    "</xsl:template></xsl:stylesheet>"))
print(str(xslt(root)).strip())
print(etree.tostring(root).decode())
