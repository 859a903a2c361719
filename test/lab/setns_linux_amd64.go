package lab

// sysSetns is setns(2) on linux/amd64, whose frozen syscall package lacks
// SYS_SETNS.
const sysSetns = 308
