"""Printed commands that cannot work where the learner is are left out."""

from runner.session.commands import Abilities, usable

COMMANDS = ["kubectl describe pod web-1 -n ns",
            "kubectl top pod web-1 -n ns --containers",
            "kubectl port-forward -n ns deploy/checkout 8080:8080",
            "kubectl logs web-1 -n ns --previous"]


def test_kind_without_metrics_server_gets_no_kubectl_top():
    assert usable(COMMANDS, Abilities(metrics=False, port_forward=True)) == [
        COMMANDS[0], COMMANDS[2], COMMANDS[3]]


def test_a_participant_role_without_port_forward_gets_none():
    assert usable(COMMANDS, Abilities(metrics=True, port_forward=False)) == [
        COMMANDS[0], COMMANDS[1], COMMANDS[3]]
    assert usable(COMMANDS, Abilities(metrics=True, port_forward=True)) == COMMANDS
