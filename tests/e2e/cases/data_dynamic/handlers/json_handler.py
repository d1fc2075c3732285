NAME = "json handler"
