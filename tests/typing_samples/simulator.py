# Type-checked by tests/test_typing.py with mypy, never run (see api_calls.py).
from cloudtower import VmApi
from cloudtower.simulator import Simulator, SimulatorPair

with Simulator(port=0, api_version="4.3.0", size="small") as sim:
    reveal_type(sim)  # R: cloudtower.simulator.Simulator
    reveal_type(sim.endpoint)  # R: builtins.str
    client = sim.client()
    reveal_type(client)  # R: cloudtower.api_client.ApiClient
    VmApi(client).get_vms({"first": 1})
    sim.fail_next("get_vms", status=503, times=2)
    state = sim.export_state()
    reveal_type(state)  # R: builtins.dict[builtins.str, Any]
    sim.fail_next("get_vms", status="503")  # E: arg-type

pair = Simulator.pair(active=0)
reveal_type(pair)  # R: cloudtower.simulator.SimulatorPair
with pair:
    pair.switch()
    reveal_type(pair.client())  # R: cloudtower.active_passive_client.ActivePassiveApiClient
    assert isinstance(pair, SimulatorPair)
