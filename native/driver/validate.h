/*
 * validate.h - the rules a WSKCONNECT_REQUEST must satisfy before the driver
 * touches the network (the contract at the top of wskconnect_ioctl.h).
 */
#ifndef WSKC_VALIDATE_H
#define WSKC_VALIDATE_H

#include "platform.h"
#include "../include/wskconnect_ioctl.h"

_Must_inspect_result_
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcValidateRequest(_In_ const WSKCONNECT_REQUEST *request);

#endif /* WSKC_VALIDATE_H */
