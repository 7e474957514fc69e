from ninja import Router

router = Router(tags=["ipcases"])
bank_router = Router(tags=["ipcases"])
