/**
 * The Element Plus parts of the meetings page beyond the admin set (admin/elementPlus.ts): a button group and checkboxes for
 * the invitee lists, registered on their own with their styles so only this lazy chunk loads them.
 */
import 'element-plus/es/components/button-group/style/css';
import 'element-plus/es/components/checkbox/style/css';
import 'element-plus/es/components/checkbox-group/style/css';

export { ElButtonGroup, ElCheckbox, ElCheckboxGroup } from 'element-plus';
