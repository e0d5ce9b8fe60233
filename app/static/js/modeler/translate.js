/* The modeler's translate service: bpmn-js-i18n's Chinese (zn.js) with our own entries on
   top; the page's language (the session's, the same switch as every page) picks Chinese or
   the libraries' own English. Replaces diagram-js's default `translate`. */
import bpmnJsChinese from "bpmn-js-i18n/translations/zn.js";
import ourChinese from "./translations_zh.js";

const CHINESE = Object.assign({}, bpmnJsChinese, ourChinese);

function fill(template, replacements) {
  return template.replace(/{([^}]+)}/g, function (_, key) {
    return replacements && key in replacements ? replacements[key] : "{" + key + "}";
  });
}

export function translateModule(language) {
  function translate(template, replacements) {
    const text = language === "zh" && CHINESE[template] ? CHINESE[template] : template;
    return fill(text, replacements);
  }
  return { translate: ["value", translate] };
}
