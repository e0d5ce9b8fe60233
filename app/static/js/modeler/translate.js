/* The modeler's translate service: bpmn-js-i18n's Chinese (zn.js) with our own entries on
   top (dmn-js gets a catalogue of its own); the page's language (the session's, the same
   switch as every page) picks Chinese or the libraries' own English. Replaces diagram-js's
   default `translate`. */
import bpmnJsChinese from "bpmn-js-i18n/translations/zn.js";
import ourChinese from "./translations_zh.js";

const CHINESE = Object.assign({}, bpmnJsChinese, ourChinese);

function fill(template, replacements) {
  return template.replace(/{([^}]+)}/g, function (_, key) {
    return replacements && key in replacements ? replacements[key] : "{" + key + "}";
  });
}

export function translateModule(language, chinese) {
  const catalogue = chinese || CHINESE;
  function translate(template, replacements) {
    const text = language === "zh" && catalogue[template] ? catalogue[template] : template;
    return fill(text, replacements);
  }
  return { translate: ["value", translate] };
}
