ld [0]
jeq #1, nowhere, no
no: ret #RET_KILL
