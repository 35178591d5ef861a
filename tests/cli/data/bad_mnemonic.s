ld [0]
jeqq #1, yes, no
yes: ret #RET_ALLOW
no: ret #RET_KILL
