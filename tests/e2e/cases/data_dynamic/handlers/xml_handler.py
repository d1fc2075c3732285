NAME = "xml handler"
