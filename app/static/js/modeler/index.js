/* The analysts' modeler, bundled by esbuild at install (scripts/install_frontend.py) into
   app/static/vendor/ticflow/modeler.js: bpmn-js with the Camunda 7 properties panel, element
   templates and their chooser, bpmnlint's style hints and the Chinese translate module, and
   dmn-js (with dmn-migrate for DMN 1.1/1.2) for decision files opened from disk and the
   decision table page; driven by page.js and dmn_page.js. */
import Modeler from "bpmn-js/lib/Modeler";
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import {
  BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule,
} from "bpmn-js-properties-panel";
import { ElementTemplatesPropertiesProviderModule } from "bpmn-js-element-templates";
import ElementTemplateChooserModule from "@bpmn-io/element-template-chooser";
import CamundaBehaviorsModule from "camunda-bpmn-js-behaviors/lib/camunda-platform";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
import BpmnlintModule from "bpmn-js-bpmnlint";
import DmnModeler from "dmn-js/lib/Modeler";
import DmnViewer from "dmn-js/lib/Viewer";
import { migrateDiagram } from "@bpmn-io/dmn-migrate";

import lintRules from "./lint_rules.js";
import dmnChinese from "./dmn_translations_zh.js";
import { translateModule } from "./translate.js";
import { startPage } from "./page.js";
import { startDmnPage } from "./dmn_page.js";

function createModeler(options) {
  return new Modeler({
    container: options.canvas,
    propertiesPanel: { parent: options.properties },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule, CamundaBehaviorsModule,
      ElementTemplatesPropertiesProviderModule, ElementTemplateChooserModule,
      BpmnlintModule, translateModule(options.language),
    ],
    moddleExtensions: { camunda: camundaModdle },
    elementTemplates: options.templates,
    linting: { bpmnlint: lintRules, active: true },
  });
}

function createViewer(options) {
  return new NavigatedViewer({
    container: options.canvas,
    additionalModules: [translateModule(options.language)],
    moddleExtensions: { camunda: camundaModdle },
  });
}

/* dmn-js options: each view (requirements diagram, table, literal expression) takes its own
   modules (a view's additionalModules replace common's). dmn-js 17 binds its keyboard itself
   (an explicit keyboard.bindTo is refused with an error). */
function dmnOptions(options) {
  const modules = { additionalModules: [translateModule(options.language, dmnChinese)] };
  return { container: options.canvas, drd: modules, decisionTable: modules, literalExpression: modules };
}

function createDmnModeler(options) {
  return new DmnModeler(dmnOptions(options));
}

function createDmnViewer(options) {
  return new DmnViewer(dmnOptions(options));
}

document.addEventListener("DOMContentLoaded", function () {
  const factory = {
    createModeler: createModeler, createViewer: createViewer,
    createDmnModeler: createDmnModeler, createDmnViewer: createDmnViewer, migrateDmn: migrateDiagram,
  };
  startPage(factory);
  startDmnPage(factory);
});
