/* bpmnlint's modelling-style hints, packed for the browser by hand (what bpmnlint-pack-config
   would generate): every rule a warning, since a style hint never blocks deploying; whether a
   diagram can be deployed is the server's lint alone. */
import conditionalFlows from "bpmnlint/rules/conditional-flows.js";
import endEventRequired from "bpmnlint/rules/end-event-required.js";
import fakeJoin from "bpmnlint/rules/fake-join.js";
import labelRequired from "bpmnlint/rules/label-required.js";
import noComplexGateway from "bpmnlint/rules/no-complex-gateway.js";
import noDisconnected from "bpmnlint/rules/no-disconnected.js";
import noGatewayJoinFork from "bpmnlint/rules/no-gateway-join-fork.js";
import noImplicitSplit from "bpmnlint/rules/no-implicit-split.js";
import noOverlappingElements from "bpmnlint/rules/no-overlapping-elements.js";
import startEventRequired from "bpmnlint/rules/start-event-required.js";
import superfluousGateway from "bpmnlint/rules/superfluous-gateway.js";

const RULES = {
  "conditional-flows": conditionalFlows,
  "end-event-required": endEventRequired,
  "fake-join": fakeJoin,
  "label-required": labelRequired,
  "no-complex-gateway": noComplexGateway,
  "no-disconnected": noDisconnected,
  "no-gateway-join-fork": noGatewayJoinFork,
  "no-implicit-split": noImplicitSplit,
  "no-overlapping-elements": noOverlappingElements,
  "start-event-required": startEventRequired,
  "superfluous-gateway": superfluousGateway
};

const config = { rules: {} };
Object.keys(RULES).forEach(function (name) { config.rules[name] = "warn"; });

const resolver = {
  resolveRule: function (pkg, ruleName) {
    const rule = pkg === "bpmnlint" && RULES[ruleName];
    if (!rule) { throw new Error("unknown lint rule " + pkg + "/" + ruleName); }
    return rule;
  },
  resolveConfig: function (pkg, configName) {
    throw new Error("no packed config " + pkg + "/" + configName);
  }
};

export default { config: config, resolver: resolver };
