ret x
